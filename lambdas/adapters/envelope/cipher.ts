import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { canonicalJson } from '../../../shared/hash.js';
import { EnvelopeOpenError, type Envelope, type SealContext, type Sealed } from '../../ports/envelope.js';

/**
 * The envelope scheme every adapter shares: AES-256-GCM of the value under a fresh 32-byte data key,
 * the context's canonical JSON as additional data; the data key wrapped by a {@link DataKeyProvider}.
 * Opened data keys are cached (bounded, least recently used first out), so a fan-out that opens one
 * object for 1,000 destinations unwraps its key once.
 */

/** Wraps and unwraps data keys (KMS, or a master key held in memory). */
export interface DataKeyProvider {
  /** Master key id, recorded in each sealed value. */
  readonly keyId: string;
  /** A new data key: the plain 32 bytes and the wrapped form (base64). */
  generate(context: SealContext): Promise<{ plain: Buffer; wrapped: string }>;
  /** The plain data key of a wrapped one; throws when it does not unwrap under this context. */
  unwrap(wrapped: string, context: SealContext): Promise<Buffer>;
}

/** How many opened data keys one process keeps. */
export const DEFAULT_KEY_CACHE_SIZE = 1000;

const IV_BYTES = 12;

/** AES-256-GCM encrypt; returns iv, tag and ciphertext. */
export function gcmSeal(key: Buffer, plain: Buffer, aad: Buffer): { iv: Buffer; tag: Buffer; ct: Buffer } {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad);
  const ct = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ct };
}

/** AES-256-GCM decrypt; throws when the tag does not verify. */
export function gcmOpen(key: Buffer, parts: { iv: Buffer; tag: Buffer; ct: Buffer }, aad: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, parts.iv);
  decipher.setAAD(aad);
  decipher.setAuthTag(parts.tag);
  return Buffer.concat([decipher.update(parts.ct), decipher.final()]);
}

function aadOf(context: SealContext): Buffer {
  return Buffer.from(canonicalJson(context), 'utf8');
}

/** An {@link Envelope} over a data-key provider, with a bounded cache of opened data keys. */
export class EnvelopeCipher implements Envelope {
  private readonly cache = new Map<string, Buffer>();
  /** Unwraps done (not served from the cache): what the bench and tests count. */
  unwraps = 0;

  constructor(
    readonly name: string,
    private readonly provider: DataKeyProvider,
    private readonly cacheSize = DEFAULT_KEY_CACHE_SIZE,
  ) {}

  async seal(plain: Buffer, context: SealContext): Promise<Sealed> {
    const { plain: key, wrapped } = await this.provider.generate(context);
    const { iv, tag, ct } = gcmSeal(key, plain, aadOf(context));
    this.remember(this.cacheKey(wrapped, context), key);
    return {
      v: 1,
      k: wrapped,
      kid: this.provider.keyId,
      iv: iv.toString('base64'),
      tag: tag.toString('base64'),
      ct: ct.toString('base64'),
    };
  }

  async open(sealed: Sealed, context: SealContext): Promise<Buffer> {
    if (sealed?.v !== 1) throw new EnvelopeOpenError('sealed value has an unknown format');
    const cacheKey = this.cacheKey(sealed.k, context);
    let key = this.cache.get(cacheKey);
    if (key) {
      // Least recently used goes first: move it to the end.
      this.cache.delete(cacheKey);
      this.cache.set(cacheKey, key);
    } else {
      try {
        key = await this.provider.unwrap(sealed.k, context);
      } catch (err) {
        throw new EnvelopeOpenError(`the data key does not unwrap with ${this.name} (wrong key or context)`, { cause: err });
      }
      this.unwraps++;
      this.remember(cacheKey, key);
    }
    try {
      return gcmOpen(
        key,
        { iv: Buffer.from(sealed.iv, 'base64'), tag: Buffer.from(sealed.tag, 'base64'), ct: Buffer.from(sealed.ct, 'base64') },
        aadOf(context),
      );
    } catch (err) {
      throw new EnvelopeOpenError('sealed value does not verify (tampered, or sealed for another object)', { cause: err });
    }
  }

  private cacheKey(wrapped: string, context: SealContext): string {
    return `${wrapped}\n${canonicalJson(context)}`;
  }

  private remember(cacheKey: string, key: Buffer): void {
    this.cache.set(cacheKey, key);
    while (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
  }
}

/** Data keys wrapped with AES-256-GCM under a 32-byte master key held in process (memory, local key file). */
export class MasterKeyProvider implements DataKeyProvider {
  constructor(
    readonly keyId: string,
    private readonly master: Buffer,
  ) {
    if (master.length !== 32) throw new Error(`a master key must be 32 bytes, not ${master.length}`);
  }

  async generate(context: SealContext): Promise<{ plain: Buffer; wrapped: string }> {
    const plain = randomBytes(32);
    const { iv, tag, ct } = gcmSeal(this.master, plain, aadOf(context));
    return { plain, wrapped: Buffer.concat([iv, tag, ct]).toString('base64') };
  }

  async unwrap(wrapped: string, context: SealContext): Promise<Buffer> {
    const raw = Buffer.from(wrapped, 'base64');
    return gcmOpen(
      this.master,
      { iv: raw.subarray(0, IV_BYTES), tag: raw.subarray(IV_BYTES, IV_BYTES + 16), ct: raw.subarray(IV_BYTES + 16) },
      aadOf(context),
    );
  }
}

/** An envelope with a random master key in memory (tests, tools): what it sealed opens only in this process. */
export function memoryEnvelope(): EnvelopeCipher {
  return new EnvelopeCipher('memory', new MasterKeyProvider('memory', randomBytes(32)));
}
