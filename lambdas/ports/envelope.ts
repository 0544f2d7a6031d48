/**
 * Envelope encryption of small secrets the hub must store (the `data` of a synced Secret): each
 * value is encrypted with AES-256-GCM under a fresh data key, and the data key is stored wrapped by
 * a key the hub never holds in its data (an AWS KMS key; a local key file in the local hub). The
 * `context` names what the value belongs to (rule, source cluster, object): it is the AES-GCM
 * additional authenticated data and the KMS encryption context, so a sealed value copied onto
 * another object does not open.
 */

/** A sealed value, as stored (every field base64, except the version and key id). */
export interface Sealed {
  /** Format version. */
  v: 1;
  /** The wrapped data key. */
  k: string;
  /** Which master key wrapped it (a KMS key ARN, `local-file`, `memory`): for operators, not trusted. */
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

/** What a sealed value belongs to; string pairs only (KMS encryption context). */
export type SealContext = Readonly<Record<string, string>>;

/** The port. Implementations: AWS KMS, local key file, memory (lambdas/adapters/envelope/). */
export interface Envelope {
  /** Adapter name, for logs and errors (`kms`, `local-file`, `memory`, `none`). */
  readonly name: string;
  seal(plain: Buffer, context: SealContext): Promise<Sealed>;
  /** @throws when the value was tampered with, or the context is not the one it was sealed with. */
  open(sealed: Sealed, context: SealContext): Promise<Buffer>;
}

/** Raised when sealing is needed and no key is configured (a hub built without one). */
export class EnvelopeUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvelopeUnavailableError';
  }
}

/** Raised when a sealed value does not open (tampered, wrong context, wrong key). */
export class EnvelopeOpenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EnvelopeOpenError';
  }
}
