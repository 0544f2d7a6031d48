import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../cli/main.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { captureIO } from '../cli/support/capture-io.js';

/**
 * The kubectl-style commands against a real local hub (dynalite, the real admin API), so that what
 * the stub hub plays in test/integration/cli holds for the hub itself: merge patches with a
 * resourceVersion, conditional PUT, dry-run apply for diff, prune, and the events route.
 */

let hub: TestHub;
let dir: string;

beforeAll(async () => {
  hub = await startTestHub();
  dir = mkdtempSync(join(tmpdir(), 'tether-cli-kubectl-'));
}, 60_000);
afterAll(async () => {
  await hub?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function tether(args: string[], env: Record<string, string> = {}) {
  const io = captureIO({
    env: {
      TETHER_HUB: hub.url,
      TETHER_TOKEN: hub.adminToken,
      TETHER_CONFIG: join(dir, 'config.json'),
      NO_COLOR: '1',
      PATH: process.env.PATH ?? '',
      TMPDIR: dir,
      ...env,
    },
    cwd: dir,
  });
  const code = await run(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const cluster = (name: string, tier: string) =>
  `apiVersion: tether.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${name}\n  labels: {tier: ${tier}, gitops.tether.dev/repo: fleet}\nspec:\n  hubAcceptsClient: true\n`;

describe('kubectl habits against the real hub', () => {
  it('label and annotate: merge patch with the resourceVersion; --overwrite; key- removes', async () => {
    expect(
      (
        await hub.api('/v1/clusters', {
          body: { apiVersion: 'tether.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'lab-1', labels: { tier: 'lab' } } },
        })
      ).status,
    ).toBe(201);
    expect(await tether(['label', 'cluster', 'lab-1', 'region=eu', 'tier=lab'])).toEqual({
      code: 0,
      out: 'cluster/lab-1 labeled\n',
      err: '',
    });
    expect((await tether(['label', 'cluster', 'lab-1', 'tier=edge'])).code).toBe(2);
    expect((await tether(['label', 'cluster', 'lab-1', 'tier=edge', '--overwrite', 'region-'])).code).toBe(0);
    expect((await tether(['annotate', 'cluster', 'lab-1', 'note=hello'])).code).toBe(0);
    const got = (await hub.api('/v1/clusters/lab-1')).body;
    expect(got.metadata.labels).toEqual({ tier: 'edge' });
    expect(got.metadata.annotations).toEqual({ note: 'hello' });
  });

  it('edit: a PUT with the resourceVersion read; an invalid value reopens, then a fix saves', async () => {
    const editor = join(dir, 'editor.sh');
    writeFileSync(
      editor,
      `#!/bin/sh\nif grep -q 'was not valid' "$1"; then sed -i 's/leaseDurationSeconds: 5$/leaseDurationSeconds: 120/' "$1"; else sed -i 's/leaseDurationSeconds: 60/leaseDurationSeconds: 5/' "$1"; fi\n`,
    );
    chmodSync(editor, 0o755);
    const r = await tether(['edit', 'cluster', 'lab-1'], { EDITOR: editor });
    expect(r.out).toBe('cluster/lab-1 edited\n');
    expect(r.err).toMatch(
      /^error: cluster\/lab-1 is invalid; reopening the editor \(Cluster "lab-1" is invalid: spec\.leaseDurationSeconds/,
    );
    expect((await hub.api('/v1/clusters/lab-1')).body.spec.leaseDurationSeconds).toBe(120);
  });

  it('diff, then apply --prune -l, keep the hub equal to the files', async () => {
    mkdirSync(join(dir, 'fleet'));
    writeFileSync(join(dir, 'fleet', 'stores.yaml'), [cluster('store-1', 'store'), cluster('store-2', 'store')].join('---\n'));
    const first = await tether(['diff', '-f', 'fleet']);
    expect(first.code).toBe(1);
    expect(first.out).toContain('--- /dev/null\n+++ cluster/store-1 (fleet/stores.yaml)\n');
    expect((await tether(['apply', '-f', 'fleet', '--prune', '-l', 'gitops.tether.dev/repo=fleet'])).code).toBe(0);
    expect(await tether(['diff', '-f', 'fleet'])).toEqual({ code: 0, out: '', err: '' });

    writeFileSync(join(dir, 'fleet', 'stores.yaml'), cluster('store-1', 'flagship'));
    const changed = await tether(['diff', '-f', 'fleet']);
    expect(changed.code).toBe(1);
    expect(changed.out).toContain('-    tier: store\n+    tier: flagship\n');
    const applied = await tether(['apply', '-f', 'fleet', '--prune', '-l', 'gitops.tether.dev/repo=fleet']);
    // A cluster is finalised in the background (202), as with delete.
    expect(applied).toEqual({ code: 0, out: 'cluster/store-1 configured\ncluster/store-2 pruned (finalizers running)\n', err: '' });
    const pruned = await hub.api('/v1/clusters/store-2');
    expect(pruned.status === 404 || Boolean(pruned.body.metadata.deletionTimestamp)).toBe(true);
    // A second run does not prune it again while it is being deleted.
    expect(await tether(['apply', '-f', 'fleet', '--prune', '-l', 'gitops.tether.dev/repo=fleet'])).toEqual({
      code: 0,
      out: 'cluster/store-1 unchanged\n',
      err: '',
    });
    // Not owned by the repository: never pruned.
    expect((await hub.api('/v1/clusters/lab-1')).status).toBe(200);
  });

  it('get events lists condition transitions the hub recorded', async () => {
    const r = await tether(['get', 'events', '-o', 'json']);
    expect(r.code).toBe(0);
    const events = JSON.parse(r.out) as { kind: string; items: Array<{ object: { kind: string; name: string } }> };
    expect(events.kind).toBe('EventList');
    expect(events.items.some((e) => e.object.kind === 'Cluster' && e.object.name === 'store-1')).toBe(true);
  });
});
