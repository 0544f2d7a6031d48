import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
// The resource store's measure, as the hub's Work behaviour passes it (ports.resources.storedBodyBytes).
import { storedBodyBytes } from '../../../../lambdas/adapters/dynamodb/resource-item.js';
import { redactWorkSecrets, REDACTED } from '../../../../lambdas/capabilities/works/redaction.js';
import {
  checkWorkSize,
  checkWorkSpec,
  guessResource,
  WORK_MAX_COMPRESSED_BYTES,
  WORK_MAX_JSON_BYTES,
} from '../../../../lambdas/capabilities/works/work-checks.js';
import { PayloadTooLargeError, ValidationError } from '../../../../shared/errors.js';
import type { Resource } from '../../../../shared/resources/meta.js';
import { WorkSpecSchema } from '../../../../shared/resources/work.js';

const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 2 } };
const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop' } };

function spec(manifests: unknown[], manifestConfigs: unknown[] = []) {
  return WorkSpecSchema.parse({ workload: { manifests }, manifestConfigs });
}

function work(s: unknown): Resource {
  return {
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'Work',
    metadata: { name: 'w', namespace: 'c', uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: '' },
    spec: s,
  };
}

function fieldErrors(fn: () => void): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.fieldErrors;
    throw err;
  }
  return [];
}

describe('checkWorkSpec', () => {
  it('accepts distinct manifests and configs that name one of them', () => {
    expect(() =>
      checkWorkSpec(
        spec(
          [deployment, service],
          [
            {
              resourceIdentifier: { group: 'apps', resource: 'deployments', namespace: 'shop', name: 'web' },
              feedbackRules: [{ type: 'WellKnownStatus' }],
            },
          ],
        ),
        'Work "w"',
      ),
    ).not.toThrow();
  });

  it('refuses the same object twice (API group, kind, namespace, name), whatever the version', () => {
    const errors = fieldErrors(() => checkWorkSpec(spec([deployment, service, { ...deployment, apiVersion: 'apps/v1beta2' }]), 'Work "w"'));
    expect(errors).toEqual([
      {
        path: 'spec.workload.manifests.2',
        message: 'Deployment shop/web (apps/v1beta2) is already manifest 0; each object may appear once in a work',
      },
    ]);
    // Same name in another namespace or another kind is another object.
    expect(
      fieldErrors(() => checkWorkSpec(spec([deployment, { ...deployment, metadata: { name: 'web', namespace: 'other' } }, service]), 'w')),
    ).toEqual([]);
  });

  it('refuses a manifestConfig that names no manifest, and says what is there', () => {
    const errors = fieldErrors(() =>
      checkWorkSpec(
        spec([deployment], [{ resourceIdentifier: { group: '', resource: 'deployments', namespace: 'shop', name: 'web' } }]),
        'Work "w"',
      ),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0].path).toBe('spec.manifestConfigs.0.resourceIdentifier');
    expect(errors[0].message).toContain('names no manifest of this work (group "", resource "deployments"');
    expect(errors[0].message).toContain('Deployment shop/web (apps/v1) -> group "apps", resource "deployments", namespace "shop"');
  });

  it('wildcards match as on the agent', () => {
    expect(
      fieldErrors(() =>
        checkWorkSpec(spec([deployment], [{ resourceIdentifier: { group: '*', resource: '*', namespace: '*', name: '*' } }]), 'w'),
      ),
    ).toEqual([]);
  });

  it('guesses plural resource names as kubectl does', () => {
    expect(['Deployment', 'Ingress', 'NetworkPolicy', 'Gateway', 'Endpoints', 'ConfigMap'].map(guessResource)).toEqual([
      'deployments',
      'ingresses',
      'networkpolicies',
      'gateways',
      'endpoints',
      'configmaps',
    ]);
  });
});

describe('checkWorkSize', () => {
  it("measures the stored size with the store's rule, not its own", () => {
    const w = work(spec(configMaps(1, () => 'small')));
    const seen: string[] = [];
    const measure = (json: string) => {
      seen.push(json);
      return WORK_MAX_COMPRESSED_BYTES + 1;
    };
    expect(() => checkWorkSize(w, 'Work "w"', measure)).toThrow(
      `Work "w" compressed (its JSON is ${Buffer.byteLength(JSON.stringify(w))} bytes`,
    );
    expect(seen).toEqual([JSON.stringify(w)]);
    expect(checkWorkSize(w, 'Work "w"', () => 10)).toEqual({ jsonBytes: Buffer.byteLength(JSON.stringify(w)), compressedBytes: 10 });
  });

  function configMaps(count: number, make: (i: number) => string, prefix = 'cm') {
    return Array.from({ length: count }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${prefix}-${i}`, namespace: 'shop' },
      data: { 'app.properties': make(i) },
    }));
  }

  it('accepts 500 KiB of manifests, even half of them random hex', () => {
    const text = (i: number) => Array.from({ length: 40 }, (_, j) => `server.pool.${i}.${j}.size=${(i * 37 + j) % 101}`).join('\n');
    const manifests = [...configMaps(200, text), ...configMaps(110, () => randomBytes(1300).toString('hex'), 'keys')];
    const w = work(spec(manifests));
    expect(() => checkWorkSpec(w.spec as ReturnType<typeof spec>, 'Work "w"')).not.toThrow();
    const size = checkWorkSize(w, 'Work "w"', storedBodyBytes);
    expect(size.jsonBytes).toBeGreaterThan(500 * 1024);
    expect(size.compressedBytes).toBeLessThan(WORK_MAX_COMPRESSED_BYTES);
  });

  it('over the JSON limit: a 413 error with the limit and the size', () => {
    const w = work(spec(configMaps(300, (i) => `${i}`.repeat(8000))));
    expect(() => checkWorkSize(w, 'Work "w"', storedBodyBytes)).toThrow(PayloadTooLargeError);
    try {
      checkWorkSize(w, 'Work "w"', storedBodyBytes);
    } catch (err) {
      const e = err as PayloadTooLargeError;
      expect(e.limitBytes).toBe(WORK_MAX_JSON_BYTES);
      expect(e.actualBytes).toBe(Buffer.byteLength(JSON.stringify(w)));
      expect(e.message).toBe(`Work "w" (as JSON) is ${e.actualBytes} bytes; the limit is ${WORK_MAX_JSON_BYTES} bytes`);
    }
  });

  it('data that does not compress: a 413 on the compressed size that says why', () => {
    const w = work(spec(configMaps(400, () => randomBytes(2000).toString('base64'))));
    try {
      checkWorkSize(w, 'Work "w"', storedBodyBytes);
      throw new Error('expected a PayloadTooLargeError');
    } catch (err) {
      const e = err as PayloadTooLargeError;
      expect(e).toBeInstanceOf(PayloadTooLargeError);
      expect(e.limitBytes).toBe(WORK_MAX_COMPRESSED_BYTES);
      expect(e.actualBytes).toBeGreaterThan(WORK_MAX_COMPRESSED_BYTES);
      expect(e.message).toContain('compressed (its JSON is');
      expect(e.message).toContain('split it into several works');
    }
  });
});

describe('redactWorkSecrets', () => {
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'db',
      namespace: 'shop',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"password":"c2VjcmV0"}}', team: 'payments' },
    },
    data: { password: 'c2VjcmV0', user: 'YWRtaW4=' },
    stringData: { dsn: 'postgres://admin:secret@db/shop' },
  };

  it('replaces every Secret value, keeps keys and everything else', () => {
    const original = work(spec([deployment, secret]));
    const before = JSON.stringify(original);
    const out = redactWorkSecrets(original);
    const m = (out.spec as { workload: { manifests: any[] } }).workload.manifests;
    expect(m[0]).toEqual(deployment);
    expect(m[1].data).toEqual({ password: REDACTED, user: REDACTED });
    expect(m[1].stringData).toEqual({ dsn: REDACTED });
    expect(m[1].metadata.annotations).toEqual({ 'kubectl.kubernetes.io/last-applied-configuration': REDACTED, team: 'payments' });
    expect(JSON.stringify(out)).not.toContain('c2VjcmV0');
    expect(JSON.stringify(out)).not.toContain('secret@db');
    // The stored object is not touched.
    expect(JSON.stringify(original)).toBe(before);
  });

  it('returns a work without Secrets as it is', () => {
    const w = work(spec([deployment]));
    expect(redactWorkSecrets(w)).toBe(w);
  });
});
