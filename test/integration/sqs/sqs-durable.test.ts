// The embedded SQS emulator with a data directory: a `kill -9` of the process that holds it loses no
// accepted message, delayed messages keep their delay, and in-flight ones come back after their
// visibility timeout (the local hub's queued and delayed steps survive a crash).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { createSqsClient } from '../../../lambdas/adapters/sqs/client.js';
import { ensureQueues } from '../../../lambdas/adapters/sqs/queues.js';
import { startSqsEmulator } from '../../../lambdas/local/sqs-embedded.js';
import { queueCounts, receiveMessages } from '../../support/sqs-server.js';

jest.setTimeout(60_000);

const dataDir = mkdtempSync(join(tmpdir(), 'tether-sqs-durable-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const root = resolve(import.meta.dirname, '../../..');
const mod = (p: string) => pathToFileURL(join(root, p)).href;

/** A child process that starts the emulator on `dataDir`, queues messages, says "ready" and waits to be killed. */
const CHILD = `
import { register } from 'tsx/esm/api';
register({ tsconfig: false });
const { startSqsEmulator } = await import(${JSON.stringify(mod('lambdas/local/sqs-embedded.ts'))});
const { createSqsClient } = await import(${JSON.stringify(mod('lambdas/adapters/sqs/client.ts'))});
const { ensureQueues } = await import(${JSON.stringify(mod('lambdas/adapters/sqs/queues.ts'))});
const { SendMessageCommand, ReceiveMessageCommand } = await import('@aws-sdk/client-sqs');
const sqs = await startSqsEmulator({ dataDir: process.argv[1] });
const client = createSqsClient({ endpoint: sqs.endpoint, region: 'us-east-1' });
const { queueUrl } = await ensureQueues(client, { name: 'durable' });
// First a message that is received with a short visibility timeout: it is in flight at the kill.
await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'in-flight' }));
let got = [];
while (got.length === 0) {
  const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 2, WaitTimeSeconds: 1 }));
  got = out.Messages ?? [];
}
await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'ready-1' }));
await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'ready-2' }));
await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'delayed', DelaySeconds: 4 }));
process.stdout.write('ready\\n');
setInterval(() => {}, 1000);
`;

describe('embedded SQS emulator with a data directory', () => {
  it('keeps ready, delayed and in-flight messages across kill -9', async () => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, dataDir], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((done, fail) => {
      child.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && done());
      child.once('exit', (code) => fail(new Error(`the child exited (${code}) before it was ready: ${stderr}`)));
    });
    const killedAt = Date.now();
    child.kill('SIGKILL');
    await new Promise((done) => child.once('exit', done));

    const sqs = await startSqsEmulator({ dataDir });
    const client = createSqsClient({ endpoint: sqs.endpoint, region: 'us-east-1' });
    try {
      // The queue answers on the new port (ensureQueues finds the existing queue).
      const { queueUrl } = await ensureQueues(client, { name: 'durable' });
      expect(new URL(queueUrl).port).toBe(new URL(sqs.endpoint).port);
      const counts = await queueCounts(client, queueUrl);
      expect(counts.visible + counts.inFlight + counts.delayed).toBe(4);

      const first = await receiveMessages(client, queueUrl, 2, 5_000, 30);
      expect(first.map((m) => m.Body).sort()).toEqual(['ready-1', 'ready-2']);
      // The delayed message keeps its delay (4 s from its send); the in-flight one comes back after 2 s.
      const rest = await receiveMessages(client, queueUrl, 2, 15_000, 30);
      expect(rest.map((m) => m.Body).sort()).toEqual(['delayed', 'in-flight']);
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1_000);
      const inFlight = rest.find((m) => m.Body === 'in-flight');
      expect(Number(inFlight?.Attributes?.ApproximateReceiveCount)).toBeGreaterThanOrEqual(2);
    } finally {
      client.destroy();
      await sqs.close();
    }
  });
});
