/**
 * Secrets the hub makes for itself (today: the key that signs list cursors), one value per name,
 * kept where the hub's data is so that every process of one hub shares it and a restart on the
 * same data keeps it. Never shown to callers or logged.
 */
export interface SecretStore {
  /**
   * The secret stored under `name`; when there is none, stores `create()` first. Of two processes
   * racing to create it, exactly one value wins and both return it.
   */
  getOrCreate(name: string, create: () => string): Promise<string>;
}
