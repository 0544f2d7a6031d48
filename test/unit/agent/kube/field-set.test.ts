import { describe, expect, it } from '@jest/globals';
import { flattenObject, formatFieldPath, fromFieldsV1, removeAt, setAt, toFieldsV1, valueAt } from '../../../../agent/kube/field-set.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'n', uid: 'u', labels: { app: 'web' } },
  spec: {
    containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }], args: ['a', 'b'] }],
    volumes: [{ name: 'scratch', emptyDir: {} }],
  },
  status: { phase: 'Running' },
};

describe('field paths', () => {
  it('flattens an object into owned leaves: keyed lists by item, other lists atomic, server metadata and status left out', () => {
    const keys = [...flattenObject(pod, 'main', true).values()].map((l) => formatFieldPath(l.path) + (l.marker ? ' (item)' : ''));
    expect(keys).toEqual([
      '.metadata.labels.app',
      '.spec.containers[name="web"] (item)',
      '.spec.containers[name="web"].name',
      '.spec.containers[name="web"].image',
      '.spec.containers[name="web"].ports[containerPort=80] (item)',
      '.spec.containers[name="web"].ports[containerPort=80].containerPort',
      '.spec.containers[name="web"].args',
      '.spec.volumes[name="scratch"] (item)',
      '.spec.volumes[name="scratch"].name',
      '.spec.volumes[name="scratch"].emptyDir',
    ]);
    expect([...flattenObject(pod, 'status', true).values()].map((l) => formatFieldPath(l.path))).toEqual(['.status.phase']);
  });

  it('treats every list as atomic without keyed lists, and a list with duplicate keys as atomic', () => {
    expect([...flattenObject(pod, 'main', false).values()].map((l) => formatFieldPath(l.path))).toEqual([
      '.metadata.labels.app',
      '.spec.containers',
      '.spec.volumes',
    ]);
    const dup = { spec: { containers: [{ name: 'a' }, { name: 'a' }] } };
    expect([...flattenObject(dup, 'main', true).values()].map((l) => formatFieldPath(l.path))).toEqual(['.spec.containers']);
  });

  it('round-trips paths through the FieldsV1 encoding, including "." for owned items and self-owned maps', () => {
    const paths = [...flattenObject(pod, 'main', true).values()].map((l) => l.path);
    const tree = toFieldsV1([...paths, ['f:spec']]);
    expect(tree['f:spec']['.']).toEqual({});
    expect(tree['f:spec']['f:containers']['k:{"name":"web"}']['.']).toEqual({});
    const back = fromFieldsV1(tree)
      .map((p) => JSON.stringify(p))
      .sort();
    expect(back).toEqual([...paths, ['f:spec']].map((p) => JSON.stringify(p)).sort());
  });

  it('reads, writes and removes values by path, pruning emptied parents', () => {
    const obj: Record<string, unknown> = JSON.parse(JSON.stringify(pod));
    const image = ['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image'];
    expect(valueAt(obj, image)).toBe('nginx');
    setAt(obj, ['f:spec', 'f:containers', 'k:{"name":"log"}', 'f:image'], 'fluentbit');
    expect(valueAt(obj, ['f:spec', 'f:containers', 'k:{"name":"log"}', '.'])).toEqual({ name: 'log', image: 'fluentbit' });
    removeAt(obj, ['f:spec', 'f:containers', 'k:{"name":"log"}', '.'], () => false);
    removeAt(obj, ['f:metadata', 'f:labels', 'f:app'], () => false);
    expect((obj.spec as { containers: unknown[] }).containers).toHaveLength(1);
    expect(obj.metadata).toEqual({ name: 'p', namespace: 'n', uid: 'u' });
  });
});
