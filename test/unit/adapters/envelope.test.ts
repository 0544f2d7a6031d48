import { describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerateDataKeyCommand, DecryptCommand } from '@aws-sdk/client-kms';
import {
  EnvelopeCipher,
  keyFileEnvelope,
  kmsEnvelope,
  MasterKeyProvider,
  memoryEnvelope,
  noEnvelope,
} from '../../../lambdas/adapters/envelope/index.js';
import { EnvelopeOpenError } from '../../../lambdas/ports/envelope.js';

const ctx = { rule: 'r1', source: 'east', object: 'v1/Secret/ns/db' };

describe('envelope encryption', () => {
  it('round-trips, and refuses a tampered value, another context or another key', async () => {
    const env = memoryEnvelope();
    const sealed = await env.seal(Buffer.from('s3cr3t'), ctx);
    expect(sealed.ct).not.toContain(Buffer.from('s3cr3t').toString('base64'));
    expect((await env.open(sealed, ctx)).toString()).toBe('s3cr3t');
    const flipped = Buffer.from(sealed.ct, 'base64');
    flipped[0] ^= 1;
    await expect(env.open({ ...sealed, ct: flipped.toString('base64') }, ctx)).rejects.toBeInstanceOf(EnvelopeOpenError);
    await expect(env.open(sealed, { ...ctx, object: 'v1/Secret/ns/other' })).rejects.toBeInstanceOf(EnvelopeOpenError);
    await expect(memoryEnvelope().open(sealed, ctx)).rejects.toBeInstanceOf(EnvelopeOpenError);
  });

  it('unwraps a data key once for many opens, within a bounded cache', async () => {
    const provider = new MasterKeyProvider('m', Buffer.alloc(32, 7));
    const sealer = new EnvelopeCipher('m', provider);
    const sealed = await sealer.seal(Buffer.from('x'), ctx);
    const opener = new EnvelopeCipher('m', provider, 2);
    for (let i = 0; i < 1000; i++) await opener.open(sealed, ctx);
    expect(opener.unwraps).toBe(1);
    const others = await Promise.all([1, 2, 3].map((i) => sealer.seal(Buffer.from('y'), { ...ctx, object: String(i) })));
    for (const [i, s] of others.entries()) await opener.open(s, { ...ctx, object: String(i + 1) });
    await opener.open(sealed, ctx);
    expect(opener.unwraps).toBe(5);
  });

  it('a hub without a key refuses to seal with a clear message', async () => {
    await expect(noEnvelope.seal(Buffer.from('x'), ctx)).rejects.toThrow(/no sync encryption key/);
  });
});

describe('local key file', () => {
  it('creates 32 random bytes with mode 0600 and reuses them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-key-'));
    const path = join(dir, 'sync.key');
    const a = keyFileEnvelope(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path)).toHaveLength(32);
    const sealed = await a.seal(Buffer.from('v'), ctx);
    expect((await keyFileEnvelope(path).open(sealed, ctx)).toString()).toBe('v');
  });

  it('refuses a key file group or others may read, and a malformed one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-key-'));
    const path = join(dir, 'sync.key');
    keyFileEnvelope(path);
    chmodSync(path, 0o640);
    expect(() => keyFileEnvelope(path)).toThrow(/mode 0640: group or others may access it; run chmod 600/);
    const short = join(dir, 'short.key');
    writeFileSync(short, 'abc', { mode: 0o600 });
    expect(() => keyFileEnvelope(short)).toThrow(/must hold 32 bytes, it holds 3/);
  });
});

describe('KMS data keys', () => {
  it('generates with the context as encryption context and decrypts once per data key', async () => {
    const calls: { name: string; input: any }[] = [];
    const master = new MasterKeyProvider('kms-fake', Buffer.alloc(32, 3));
    const client = {
      async send(command: any) {
        calls.push({ name: command.constructor.name, input: command.input });
        if (command instanceof GenerateDataKeyCommand) {
          const { plain, wrapped } = await master.generate(command.input.EncryptionContext!);
          return { Plaintext: plain, CiphertextBlob: Buffer.from(wrapped, 'base64') };
        }
        if (command instanceof DecryptCommand) {
          return {
            Plaintext: await master.unwrap(Buffer.from(command.input.CiphertextBlob!).toString('base64'), command.input.EncryptionContext!),
          };
        }
        throw new Error('unexpected');
      },
    };
    const sealed = await kmsEnvelope(client as any, 'arn:aws:kms:us-east-1:111122223333:key/k').seal(Buffer.from('p'), ctx);
    expect(sealed.kid).toBe('arn:aws:kms:us-east-1:111122223333:key/k');
    const opener = kmsEnvelope(client as any, 'arn:aws:kms:us-east-1:111122223333:key/k');
    for (let i = 0; i < 50; i++) expect((await opener.open(sealed, ctx)).toString()).toBe('p');
    expect(calls.map((c) => c.name)).toEqual(['GenerateDataKeyCommand', 'DecryptCommand']);
    expect(calls[0].input).toMatchObject({ KeySpec: 'AES_256', EncryptionContext: ctx });
    expect(calls[1].input.EncryptionContext).toEqual(ctx);
  });
});
