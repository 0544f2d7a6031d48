import { describe, expect, it } from '@jest/globals';
import { parseDesired, ResourceService } from '../../../lambdas/core/resource-service.js';
import { retryOnConflict } from '../../../lambdas/core/retry.js';
import { ConflictError, PermanentConflictError } from '../../../shared/errors.js';
import { KINDS } from '../../../shared/resources/kinds.js';
import { memoryHubContext } from '../../support/memory-hub.js';

/** Issue 16, item 17: a permanent conflict answers at once; a contention 409 says what happened. */

const API = 'tether.dev/v1alpha1';
const clusterInfo = Object.values(KINDS).find((k) => k.kind === 'Cluster')!;

describe('conflicts', () => {
  it('retryOnConflict gives up at once on a permanent conflict', async () => {
    const hub = memoryHubContext();
    let calls = 0;
    const started = hub.clock.now();
    await expect(
      retryOnConflict(hub.clock, async () => {
        calls++;
        throw new PermanentConflictError('gone soon');
      }),
    ).rejects.toBeInstanceOf(PermanentConflictError);
    expect(calls).toBe(1);
    expect(hub.clock.now()).toBe(started);
  });

  it('an unconditional PATCH of a cluster being deleted answers 409 at once, without spending a retry budget', async () => {
    const hub = memoryHubContext();
    const service = new ResourceService(hub.ctx);
    await service.create(
      parseDesired({ apiVersion: API, kind: 'Cluster', metadata: { name: 'victim' }, spec: { hubAcceptsClient: true } }),
    );
    const out = await service.delete(clusterInfo, 'victim');
    expect(out.result).toBe('finalizing');
    let reads = 0;
    const get = hub.ports.resources.get.bind(hub.ports.resources);
    hub.ports.resources.get = async (...args) => {
      reads++;
      return get(...args);
    };
    const started = hub.clock.now();
    const err = await service.patch(clusterInfo, 'victim', undefined, { metadata: { labels: { a: 'b' } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentConflictError);
    expect((err as Error).message).toMatch(/is being deleted; it cannot be changed/);
    // One read, no back-off: the answer does not wait for a conflict that cannot clear.
    expect(reads).toBe(1);
    expect(hub.clock.now()).toBe(started);
  });

  it('a contention 409 says writers kept winning, never a resourceVersion the client did not send', async () => {
    const hub = memoryHubContext();
    const service = new ResourceService(hub.ctx);
    await service.create(parseDesired({ apiVersion: API, kind: 'Cluster', metadata: { name: 'busy' }, spec: {} }));
    // Every write loses the race, as under hundreds of concurrent writers (the store's own wording).
    hub.ports.resources.replace = async (res) => {
      throw new ConflictError(`Cluster "${res.metadata.name}" was modified: resourceVersion is 9, the request expected 1`, '9');
    };
    const err = await service.patch(clusterInfo, 'busy', undefined, { metadata: { labels: { a: 'b' } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).not.toBeInstanceOf(PermanentConflictError);
    const message = (err as Error).message;
    expect(message).toMatch(/being changed by other writers at the same time/);
    expect(message).toMatch(/Nothing was changed; retry later/);
    expect(message).not.toMatch(/resourceVersion|expected/);
  });
});
