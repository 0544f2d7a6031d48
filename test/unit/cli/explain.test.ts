import { z } from 'zod';
import { explain, typeName } from '../../../cli/explain.js';
import { UsageError } from '../../../cli/errors.js';
import { captureIO } from '../../integration/cli/support/capture-io.js';
import { run } from '../../../cli/main.js';

describe('tether explain', () => {
  test('a kind: its description and top-level fields, kubectl layout', () => {
    const out = explain('cluster');
    expect(out).toMatch(/^KIND: {5}Cluster\nVERSION: {2}tether\.dev\/v1alpha1\n\nDESCRIPTION:\n {5}A managed Kubernetes cluster/);
    expect(out).toContain('FIELDS:\n   apiVersion\t<string> -required-\n');
    expect(out).toContain('   spec\t<Object>\n     The desired state of the Cluster, written by you.\n');
  });

  test('a field path: type, required, allowed values, defaults and bounds from the schema', () => {
    const taints = explain('cl.spec.taints');
    expect(taints).toContain('FIELD:    taints <[]Object>\n');
    expect(taints).toContain(
      '   effect\t<string> -required-\n     NoSelect: placements do not choose the cluster unless they tolerate the taint;',
    );
    expect(taints).toContain('never newly chosen.\n     Allowed values: NoSelect, PreferNoSelect, NoSelectIfNew\n');
    // Descriptions wrap at about 100 columns, as kubectl wraps at 80.
    expect(Math.max(...taints.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
    const lease = explain('Cluster.spec.leaseDurationSeconds');
    expect(lease).toContain('FIELD:    leaseDurationSeconds <integer>\n');
    expect(lease).toContain('Default: 60\n     Bounds: at least 10, at most 3600');
    expect(explain('work.metadata.labels')).toContain('FIELD:    labels <map[string]string>');
  });

  test('--recursive prints the tree of fields', () => {
    const out = explain('cluster.spec', { recursive: true });
    expect(out).toContain('   taints\t<[]Object>\n      key\t<string> -required-\n');
    expect(out).toContain('   agent\t<Object>\n      version\t<string>\n');
  });

  test('unknown kinds and fields are usage errors that name the fields there are', async () => {
    expect(() => explain('nope')).toThrow(UsageError);
    expect(() => explain('cluster.spec.taint')).toThrow(
      'field "taint" does not exist in cluster.spec; fields of cluster.spec: hubAcceptsClient, leaseDurationSeconds, taints, agent',
    );
    const io = captureIO();
    expect(await run(['explain', 'cluster.spec.nope'], io)).toBe(2);
    expect(await run(['explain', 'fd.spec.rolloutStrategy'], io)).toBe(0);
  });

  test('type names follow kubectl', () => {
    const schema = (t: z.ZodType) => z.toJSONSchema(t, { io: 'input', unrepresentable: 'any' }) as Parameters<typeof typeName>[0];
    expect(typeName(schema(z.array(z.string())))).toBe('[]string');
    expect(typeName(schema(z.record(z.string(), z.number())))).toBe('map[string]number');
    expect(typeName(schema(z.string().optional()))).toBe('string');
  });
});
