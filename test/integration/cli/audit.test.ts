import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { auditObject } from '../../../cli/commands/audit.js';
import { useRealHubCli } from './support/real-hub-cli.js';

/** `tether audit` against a real local hub: the audit trail is stored in the hub's table and read back. */

const { hub, dir, tether } = useRealHubCli('audit');

describe('tether audit', () => {
  it('reads back what the hub did, newest first, filtered; as a table, JSON and CSV', async () => {
    expect((await tether(['cluster', 'import', 'store-audit-1', '-f', join(dir(), 'store-audit-1.yaml')])).code).toBe(0);
    expect((await tether(['cluster', 'accept', 'store-audit-1'])).code).toBe(0);
    expect((await tether(['cluster', 'deny', 'store-audit-1'])).code).toBe(0);

    const json = await tether(['audit', '--action', 'cluster.', '--cluster', 'store-audit-1', '-o', 'json']);
    expect(json.code).toBe(0);
    const records = JSON.parse(json.out) as { action: string; outcome: string; cluster: string; count: number }[];
    // Denying a cluster also revokes its credentials, which is audited on its own.
    expect(records.map((r) => r.action)).toEqual(['cluster.deny', 'cluster.credentials-revoked', 'cluster.accept', 'cluster.import']);
    expect(records.every((r) => r.outcome === 'allowed' && r.cluster === 'store-audit-1' && r.count === 1)).toBe(true);
    expect(json.out).not.toContain(hub().adminToken);

    const table = await tether(['audit', '--action', 'cluster.accept']);
    expect(table.out.split('\n')[0]).toMatch(/^TIME\s+ACTION\s+OUTCOME\s+CLUSTER\s+OBJECT\s+ACTOR\s+SOURCE\s+COUNT\s+REASON$/);
    expect(table.out).toContain('store-audit-1');

    const csv = await tether(['audit', '--action', 'cluster.deny', '-o', 'csv']);
    expect(csv.out.split('\n')[0]).toBe('time,action,outcome,cluster,actor,sourceIp,count,reason,details');
    expect(csv.out.split('\n')[1]).toMatch(/^\d{4}-\d{2}-\d{2}T[^,]+,cluster\.deny,allowed,store-audit-1,/);
  }, 30_000);

  it('names the FleetDeployment a rollout action was about', () => {
    expect(auditObject({ action: 'fleetdeployment.pause', details: { fleetDeployment: 'pos' } })).toBe('fleetdeployment/pos');
    expect(auditObject({ action: 'cluster.accept', cluster: 'c' })).toBe('');
  });

  it('refuses a bad range with a problem that says what to write', async () => {
    const r = await tether(['audit', '--since', 'yesterday-ish']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/since must be a duration back from now \(24h, 7d\) or an RFC 3339 time/);
  });
});
