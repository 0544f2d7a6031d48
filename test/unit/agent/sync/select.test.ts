import { describe, expect, it } from '@jest/globals';
import {
  flattenMatch,
  isForeignCopy,
  listQueries,
  MAX_LIST_QUERIES,
  reportedObject,
  selectObjects,
} from '../../../../agent/sync/select.js';
import { ORIGIN_CLUSTER_ANNOTATION, syncObjectHash } from '../../../../shared/protocol/sync.js';
import { configMap, secret } from './support.js';

/** Source selection: which list calls a rule becomes, and the local filtering after them. */

describe('listQueries: server-side selection', () => {
  it('one label selector per entry goes to the server, per namespace the entry allows', () => {
    expect(
      listQueries('v1', 'Secret', true, [
        { namespaces: ['a', 'b'], labels: [{ matchLabels: { sync: 'yes' } }] },
        { objectKey: { namespace: 'c', name: 'db' } },
      ]),
    ).toEqual([
      { apiVersion: 'v1', kind: 'Secret', namespace: 'a', labelSelector: 'sync=yes' },
      { apiVersion: 'v1', kind: 'Secret', namespace: 'b', labelSelector: 'sync=yes' },
      { apiVersion: 'v1', kind: 'Secret', namespace: 'c', fieldSelector: 'metadata.name=db' },
    ]);
  });

  it('an entry the server cannot narrow (two label selectors, annotations only) lists the whole kind once', () => {
    const whole = [{ apiVersion: 'v1', kind: 'Secret' }];
    expect(listQueries('v1', 'Secret', true, [{ labels: [{ matchLabels: { a: '1' } }, { matchLabels: { b: '1' } }] }])).toEqual(whole);
    expect(listQueries('v1', 'Secret', true, [{ namespaces: ['a'] }, { annotations: [{ matchLabels: { x: 'y' } }] }])).toEqual(whole);
    expect(listQueries('v1', 'Secret', true, undefined)).toEqual(whole);
  });

  it('expressions are formatted; namespaces are ignored for a cluster-scoped kind', () => {
    expect(
      listQueries('example.com/v1', 'Gadget', false, [
        { namespaces: ['a'], labels: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['x', 'y'] }] }] },
      ]),
    ).toEqual([{ apiVersion: 'example.com/v1', kind: 'Gadget', labelSelector: 'tier in (x,y)' }]);
  });

  it('an entry whose objectKey namespace is outside its namespaces lists nothing; too many queries list the whole kind', () => {
    expect(listQueries('v1', 'ConfigMap', true, [{ namespaces: ['a'], objectKey: { namespace: 'b' } }])).toEqual([]);
    const many = Array.from({ length: MAX_LIST_QUERIES + 1 }, (_, i) => `ns-${i}`);
    expect(listQueries('v1', 'ConfigMap', true, [{ namespaces: many, labels: [{ matchLabels: { a: 'b' } }] }])).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap' },
    ]);
  });

  it('flattenMatch: an entry with no match list selects everything', () => {
    expect(flattenMatch([[{ namespaces: ['a'] }], []])).toBeUndefined();
    expect(flattenMatch([[{ namespaces: ['a'] }], [{ namespaces: ['b'] }]])).toEqual([{ namespaces: ['a'] }, { namespaces: ['b'] }]);
  });
});

describe('selectObjects: local filtering and loop prevention', () => {
  const own = 'uid-own';
  it('filters by annotations and content locally, never reports a copy from another cluster, reports its own objects', () => {
    const page = [
      configMap('a', 'ns', { tier: 'gold' }, { annotations: { team: 'x' } }),
      configMap('b', 'ns', { tier: 'silver' }, { annotations: { team: 'x' } }),
      configMap('c', 'ns', { tier: 'gold' }),
      configMap('d', 'ns', { tier: 'gold' }, { annotations: { team: 'x', [ORIGIN_CLUSTER_ANNOTATION]: 'uid-other' } }),
      configMap('e', 'ns', { tier: 'gold' }, { annotations: { team: 'x', [ORIGIN_CLUSTER_ANNOTATION]: own } }),
    ];
    const match = [{ annotations: [{ matchLabels: { team: 'x' } }], content: [{ path: '.data.tier', value: 'gold' }] }];
    expect(selectObjects([page], match, own, false).map((o) => o.name)).toEqual(['a', 'e']);
    expect(isForeignCopy(page[3], own)).toBe(true);
  });

  it('dedupes objects returned by two queries and hashes what is sent, without server fields, status or last-applied', () => {
    const s = secret(
      'db',
      'shop',
      { password: 'p' },
      { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":"p"}' } },
    );
    const live = {
      ...s,
      metadata: { ...s.metadata, uid: 'u', resourceVersion: '7', managedFields: [], creationTimestamp: 't' },
      status: { x: 1 },
    };
    const [o, ...rest] = selectObjects([[live], [live]], undefined, own, false);
    expect(rest).toEqual([]);
    expect(o.resourceVersion).toBe('7');
    expect(o.object).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'db', namespace: 'shop' },
      data: s.data,
    });
    expect(o.hash).toBe(syncObjectHash(o.object, false));
    expect(reportedObject(live, true).status).toEqual({ x: 1 });
  });
});
