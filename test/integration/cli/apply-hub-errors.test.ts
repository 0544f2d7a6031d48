import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { useRealHubCli } from './support/real-hub-cli.js';

/** `tether apply` against a real local hub: each failed document is named once, not twice. */

const { dir, tether } = useRealHubCli('apply-hub');

describe('tether apply errors from the hub', () => {
  it('names the file and the document once', async () => {
    writeFileSync(
      join(dir(), 'fleet.yaml'),
      [
        'apiVersion: tether.dev/v1alpha1\nmetadata: {name: nokind}',
        'apiVersion: tether.dev/v1alpha1\nkind: Gadget\nmetadata: {name: x}',
        'apiVersion: tether.dev/v1alpha1\nkind: Work\nmetadata: {name: w}\nspec: {workload: {manifests: []}}',
        'apiVersion: tether.dev/v1alpha1\nkind: ClusterSet\nmetadata: {name: fine}',
      ].join('\n---\n'),
    );
    const r = await tether(['apply', '-f', 'fleet.yaml']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('clusterset/fine created\n');
    const lines = r.err.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^error: fleet\.yaml: document 1 has no kind; set kind to one of .+ \(422\)$/);
    expect(lines[1]).toMatch(/^error: fleet\.yaml: document 2: unknown kind "Gadget"; known kinds: .+ \(422\)$/);
    expect(lines[2]).toBe("error: fleet.yaml: document 3: Work needs metadata.namespace set to its cluster's name (422)");
    for (const line of lines) expect(line).not.toMatch(/document \d+\D.*document \d+/);
  });
});
