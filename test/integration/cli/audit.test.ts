import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { AUDIT_CSV_COLUMNS } from '../../../shared/audit-view.js';
import type { AuditEvent } from '../../../shared/tenancy.js';
import { useRealHubCli } from './support/real-hub-cli.js';

/** `tether audit` against a real local hub: the audit trail is stored in the hub's table and read back. */

const { hub, dir, tether } = useRealHubCli('audit');

/** A minimal RFC 4180 reader: enough to check that every row has every column. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

describe('tether audit', () => {
  it('reads back what was done and by whom, newest first, filtered; as a table, JSON and CSV', async () => {
    expect((await tether(['cluster', 'import', 'store-audit-1', '-f', join(dir(), 'store-audit-1.yaml')])).code).toBe(0);
    expect((await tether(['cluster', 'accept', 'store-audit-1'])).code).toBe(0);
    expect((await tether(['cluster', 'deny', 'store-audit-1'])).code).toBe(0);

    const json = await tether(['audit', '--kind', 'Cluster', '--name', 'store-audit-1', '-o', 'json']);
    expect(json.code).toBe(0);
    const events = JSON.parse(json.out) as AuditEvent[];
    expect(events.map((e) => [e.verb, e.objectRef?.subresource])).toEqual([
      ['control', 'deny'],
      ['control', 'accept'],
      ['control', 'import'],
    ]);
    // Denying a cluster revokes its credentials first: one request, one event, both actions named in order.
    expect(events[0].annotations?.['tether.dev/action']).toBe('cluster.credentials-revoked,cluster.deny');
    expect(events.every((e) => e.user.username === 'token:bootstrap' && e.decision?.allowed === true)).toBe(true);
    expect(json.out).not.toContain(hub().adminToken);

    const table = await tether(['audit', '--verb', 'control']);
    expect(table.out.split('\n')[0]).toMatch(/^TIME\s+USER\s+VERB\s+OBJECT\s+OUTCOME\s+CODE\s+CHANGES$/);
    expect(table.out).toContain('clusters/store-audit-1/accept');
    expect(table.out).toContain('spec.hubAcceptsClient');

    const csv = await tether(['audit', '--kind', 'clusters', '--name', 'store-audit-1', '-o', 'csv']);
    const rows = parseCsv(csv.out);
    expect(rows[0]).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(rows[0].join(',')).toBe('time,user,groups,verb,kind,cluster,name,clusterSets,outcome,code,rule,count,sourceIP,auditID,diff');
    expect(rows).toHaveLength(4);
    for (const r of rows.slice(1)) expect(r).toHaveLength(AUDIT_CSV_COLUMNS.length);
    const row = Object.fromEntries(AUDIT_CSV_COLUMNS.map((c, i) => [c, rows[2][i]]));
    expect(row).toMatchObject({
      time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      user: 'token:bootstrap',
      verb: 'control',
      kind: 'clusters',
      name: 'store-audit-1/accept',
      outcome: 'allowed',
      code: '200',
      count: '1',
      auditID: events[1].auditID,
      diff: 'spec.hubAcceptsClient',
    });
    expect(row.rule).toBe('token/bootstrap (role admin): allow * *');
  }, 30_000);

  it('exports denials with their count, and never the token that was refused', async () => {
    const h = hub();
    for (let i = 0; i < 3; i++) expect((await h.api('/v1/works', { token: 'tha_refused-token' })).status).toBe(403);
    await h.ctx.ports.audit.flush?.(true);
    const csv = await tether(['audit', '--outcome', 'denied', '-o', 'csv']);
    expect(csv.code).toBe(0);
    const rows = parseCsv(csv.out).slice(1);
    const col = (c: (typeof AUDIT_CSV_COLUMNS)[number]) => AUDIT_CSV_COLUMNS.indexOf(c);
    const flood = rows.find((r) => r[col('kind')] === 'works');
    expect(flood?.[col('count')]).toBe('3');
    expect(flood?.[col('user')]).toBe('system:anonymous');
    expect(flood?.[col('rule')]).toBe('unknown token');
    expect(csv.out).not.toContain('tha_refused-token');
  });

  it('refuses a bad range with a problem that says what to write', async () => {
    const r = await tether(['audit', '--since', 'yesterday-ish']);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/since must be a duration back from now \(24h, 7d\) or an RFC 3339 time/);
  });
});
