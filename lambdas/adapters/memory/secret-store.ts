import type { SecretStore } from '../../ports/secret-store.js';

/** {@link SecretStore} in process memory (tests and tools; nothing survives the process). */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();

  async getOrCreate(name: string, create: () => string): Promise<string> {
    let value = this.values.get(name);
    if (value === undefined) {
      value = create();
      this.values.set(name, value);
    }
    return value;
  }
}
