import { DecryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SealContext } from '../../ports/envelope.js';
import { EnvelopeCipher, type DataKeyProvider } from './cipher.js';

/**
 * Data keys from AWS KMS: GenerateDataKey (AES_256) to seal, Decrypt to open, both with the sealed
 * value's context as the KMS encryption context (so CloudTrail shows which object a Decrypt was
 * for, and a wrapped key copied to another object does not decrypt). Opened keys are cached by
 * {@link EnvelopeCipher}, so a fan-out costs one Decrypt per object, not one per destination.
 */
export class KmsDataKeyProvider implements DataKeyProvider {
  constructor(
    private readonly client: Pick<KMSClient, 'send'>,
    readonly keyId: string,
  ) {}

  async generate(context: SealContext): Promise<{ plain: Buffer; wrapped: string }> {
    const out = await this.client.send(
      new GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }),
    );
    if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS GenerateDataKey returned no key');
    return { plain: Buffer.from(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob).toString('base64') };
  }

  async unwrap(wrapped: string, context: SealContext): Promise<Buffer> {
    const out = await this.client.send(
      new DecryptCommand({ KeyId: this.keyId, CiphertextBlob: Buffer.from(wrapped, 'base64'), EncryptionContext: { ...context } }),
    );
    if (!out.Plaintext) throw new Error('KMS Decrypt returned no plaintext');
    return Buffer.from(out.Plaintext);
  }
}

/** An envelope over a KMS key (its ARN, id or alias). */
export function kmsEnvelope(client: Pick<KMSClient, 'send'>, keyId: string): EnvelopeCipher {
  return new EnvelopeCipher('kms', new KmsDataKeyProvider(client, keyId));
}
