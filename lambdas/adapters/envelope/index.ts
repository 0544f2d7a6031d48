import { EnvelopeUnavailableError, type Envelope } from '../../ports/envelope.js';

export { EnvelopeCipher, MasterKeyProvider, memoryEnvelope, DEFAULT_KEY_CACHE_SIZE, type DataKeyProvider } from './cipher.js';
export { keyFileEnvelope, loadOrCreateKeyFile } from './key-file.js';
export { kmsEnvelope, KmsDataKeyProvider } from './kms.js';

/**
 * The envelope of a hub built without a key: sealing fails with a clear message (so syncing a
 * Secret is refused and reported), everything that needs no sealing works.
 */
export const noEnvelope: Envelope = {
  name: 'none',
  async seal() {
    throw new EnvelopeUnavailableError('this hub has no sync encryption key (TETHER_SYNC_KEY_ID), so it cannot store Secret data');
  },
  async open() {
    throw new EnvelopeUnavailableError('this hub has no sync encryption key (TETHER_SYNC_KEY_ID), so it cannot open Secret data');
  },
};
