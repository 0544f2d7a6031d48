import { describe, expect, it } from '@jest/globals';
import { errorFromResponse } from '../../../../agent/kube/api-errors.js';
import {
  KubeAlreadyExistsError,
  KubeConflictError,
  KubeForbiddenError,
  KubeInvalidError,
  KubeNotFoundError,
  KubeRequestError,
  KubeUnavailableError,
} from '../../../../agent/kube/errors.js';

const status = (code: number, reason: string, message: string, details?: object) =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message, details });

describe('errorFromResponse', () => {
  it('maps a 409 with field-manager causes to KubeConflictError, one entry per conflicting field', () => {
    const err = errorFromResponse(
      {
        status: 409,
        body: status(409, 'Conflict', 'Apply failed with 2 conflicts', {
          causes: [
            { reason: 'FieldManagerConflict', message: 'conflict with "helm" using apps/v1', field: '.spec.replicas' },
            {
              reason: 'FieldManagerConflict',
              message: 'conflict with "kubectl-edit" using apps/v1',
              field: '.spec.template.spec.containers[name="web"].image',
            },
          ],
        }),
      },
      'Deployment shop/web',
    ) as KubeConflictError;
    expect(err).toBeInstanceOf(KubeConflictError);
    expect(err.managers).toEqual(['helm', 'kubectl-edit']);
    expect(err.message).toBe(
      'server-side apply of Deployment shop/web conflicts: field manager "helm" owns .spec.replicas; field manager "kubectl-edit" owns .spec.template.spec.containers[name="web"].image with different values. ' +
        "To take these fields over, set force: true in this manifest's manifestConfig (updateStrategy: {type: ServerSideApply, serverSideApply: {force: true}}); " +
        'or remove the fields from the other manager (stop "helm", "kubectl-edit" from setting them) or from this manifest',
    );
  });

  it('maps a 409 without causes (resourceVersion precondition) to a KubeConflictError with the server message', () => {
    const err = errorFromResponse(
      { status: 409, body: status(409, 'Conflict', 'the object has been modified') },
      'ConfigMap a/b',
    ) as KubeConflictError;
    expect(err.conflicts).toEqual([]);
    expect(err.message).toContain('the object has been modified');
  });

  it('maps AlreadyExists, NotFound, Invalid, BadRequest, Unauthorized and Forbidden', () => {
    expect(errorFromResponse({ status: 409, body: status(409, 'AlreadyExists', 'x') }, 'T')).toBeInstanceOf(KubeAlreadyExistsError);
    expect(errorFromResponse({ status: 404, body: status(404, 'NotFound', 'namespaces "shop" not found') }, 'T').message).toBe(
      'namespaces "shop" not found',
    );
    expect(errorFromResponse({ status: 404, body: '' }, 'ConfigMap a/b')).toBeInstanceOf(KubeNotFoundError);
    const invalid = errorFromResponse(
      {
        status: 422,
        body: JSON.parse(
          status(422, 'Invalid', 'bad', { causes: [{ field: 'spec.x', message: 'Required value', reason: 'FieldValueRequired' }] }),
        ),
      },
      'T',
    ) as KubeInvalidError;
    expect(invalid.causes).toEqual([{ field: 'spec.x', message: 'Required value', reason: 'FieldValueRequired' }]);
    expect(errorFromResponse({ status: 400, body: 'yaml: line 3: mapping values are not allowed' }, 'T').message).toBe(
      'yaml: line 3: mapping values are not allowed',
    );
    expect(errorFromResponse({ status: 401, body: status(401, 'Unauthorized', 'Unauthorized') }, 'T')).toBeInstanceOf(KubeForbiddenError);
    expect(errorFromResponse({ status: 403, body: status(403, 'Forbidden', 'no') }, 'T')).toBeInstanceOf(KubeForbiddenError);
  });

  it('maps 408, 429 and 5xx to retryable KubeUnavailableError, reading Retry-After in seconds or as a date', () => {
    const e503 = errorFromResponse({ status: 503, body: 'unavailable', headers: { 'retry-after': '3' } }, 'T') as KubeUnavailableError;
    expect(e503).toBeInstanceOf(KubeUnavailableError);
    expect(e503.retryable).toBe(true);
    expect(e503.retryAfterSeconds).toBe(3);
    const later = new Date(Date.now() + 10_000).toUTCString();
    const e429 = errorFromResponse({ status: 429, body: '', headers: { 'retry-after': later } }, 'T') as KubeUnavailableError;
    expect(e429.retryAfterSeconds).toBeGreaterThanOrEqual(8);
    expect(e429.retryAfterSeconds).toBeLessThanOrEqual(10);
    expect(errorFromResponse({ status: 408, body: '' }, 'T')).toBeInstanceOf(KubeUnavailableError);
  });

  it('keeps other statuses as KubeRequestError with the status, and the cause', () => {
    const cause = new Error('raw');
    const err = errorFromResponse({ status: 405, body: status(405, 'MethodNotAllowed', 'not allowed') }, 'T', {
      cause,
    }) as KubeRequestError;
    expect(err).toBeInstanceOf(KubeRequestError);
    expect(err.httpStatus).toBe(405);
    expect(err.cause).toBe(cause);
  });
});
