import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROBLEM_BASE, type Problem } from '../../../shared/api.js';
import {
  AlreadyExistsError,
  ConflictError,
  ForbiddenError,
  isServerError,
  MalformedInputError,
  NotFoundError,
  PayloadTooLargeError,
  StateError,
  statusOf,
  TetherError,
  ThrottledError,
  titleOf,
  UnauthenticatedError,
  ValidationError,
} from '../../../shared/errors.js';
import {
  GENERIC_DETAIL,
  InvalidPathError,
  MethodNotAllowedError,
  RouteNotFoundError,
  toProblem,
  UnsupportedMediaTypeError,
} from '../../../lambdas/http/problem.js';
import { ResponseTooLargeError } from '../../../lambdas/http/request.js';
import { PoisonMessageError } from '../../../lambdas/core/steps.js';
import { TemplateRenderError } from '../../../lambdas/core/template.js';
import { BatchIncompleteError } from '../../../lambdas/adapters/dynamodb/batch.js';
import { IssuerUnavailableError } from '../../../lambdas/adapters/oidc/oidc-verifier.js';
import { QueueSendError, SqsResponseError, UnsupportedLambdaApiError } from '../../../lambdas/adapters/sqs/errors.js';
import { DynaliteError } from '../../../lambdas/local/dynamo-embedded.js';
import { SqsEmulatorError } from '../../../lambdas/local/sqs-embedded.js';
import { DeleteFailedError, DrainTimeoutError, PollerStoppedError } from '../../../lambdas/local/queue-poller.js';
import {
  AgentConfigError,
  CredentialRejectedError,
  HubProtocolError,
  HubUnavailableError,
  JoinPendingError,
} from '../../../agent/errors.js';
import { AgentRunError } from '../../../agent/command.js';
import { PackError } from '../../../agent/pack.js';
import {
  KubeAlreadyExistsError,
  KubeConfigError,
  KubeConflictError,
  KubeForbiddenError,
  KubeInvalidError,
  KubeNotFoundError,
  KubeRequestError,
  KubeTimeoutError,
  KubeUnavailableError,
  KubeUnknownKindError,
} from '../../../agent/kube/errors.js';
import { AuthMissingError, HubProblemError, HubResponseError, HubUnreachableError, UsageError } from '../../../cli/errors.js';
import { TableAccessError } from '../../../cli/table-access.js';
import { HubProblemError as ConsoleHubProblemError, HubUnreachableError as ConsoleHubUnreachableError } from '../../../console/src/api.js';
import { BenchHubError } from '../../../bench/hub.js';
import { LambdaProbeError } from '../../../bench/lambda-probe.js';
import { FleetShardError } from '../../../sim/fleet.js';
import { ChildStartError } from '../../../sim/child-process.js';
import { SimImportError } from '../../../sim/sim-agent.js';
import { HubProcessError } from '../../../bench/hub-process.js';
import { MeasurementError } from '../../../bench/b1-poll-cost.js';

const hubProblem: Problem = { type: PROBLEM_BASE + 'not-found', title: 'Not found', status: 404, detail: 'Cluster "x" not found' };

/**
 * Every concrete TetherError class in the repository, by the file that declares it, with an
 * instance and the status and title it must carry. The last test checks that this list is complete.
 */
const CASES: Array<[file: string, error: TetherError, status: number, title: string]> = [
  [
    'shared/errors.ts',
    new ValidationError('spec.replicas must be a number', [{ path: 'spec.replicas', message: 'expected number' }]),
    422,
    'Validation failed',
  ],
  ['shared/errors.ts', new MalformedInputError('not JSON', 3), 400, 'Malformed request body'],
  ['shared/errors.ts', new NotFoundError('Cluster', 'c1'), 404, 'Not found'],
  ['shared/errors.ts', new AlreadyExistsError('Cluster', 'c1'), 409, 'Already exists'],
  ['shared/errors.ts', new ConflictError('the object changed', '7'), 409, 'Conflict'],
  ['shared/errors.ts', new PayloadTooLargeError(10, 20), 413, 'Payload too large'],
  ['shared/errors.ts', new UnauthenticatedError('no token'), 401, 'Unauthenticated'],
  ['shared/errors.ts', new ForbiddenError('not allowed'), 403, 'Forbidden'],
  ['shared/errors.ts', new StateError('the cluster is detaching'), 409, 'Invalid state'],
  ['shared/errors.ts', new ThrottledError('slow down', 7), 429, 'Too many requests'],
  ['lambdas/http/problem.ts', new RouteNotFoundError('no route for GET /v9'), 404, 'No such route'],
  ['lambdas/http/problem.ts', new InvalidPathError('the path segment ".." is not allowed'), 400, 'Invalid path'],
  ['lambdas/http/problem.ts', new MethodNotAllowedError('PATCH is not allowed', ['GET', 'PUT']), 405, 'Method not allowed'],
  ['lambdas/http/problem.ts', new UnsupportedMediaTypeError('text/plain is not accepted'), 415, 'Unsupported media type'],
  ['lambdas/http/request.ts', new ResponseTooLargeError(10, 20, true), 500, 'Response too large'],
  ['lambdas/core/step-errors.ts', new PoisonMessageError('unknown step type "x.y"'), 500, 'Poison message'],
  [
    'lambdas/core/template.ts',
    new TemplateRenderError('c1', [{ path: 'template.x', message: 'no label zone' }]),
    422,
    'Template cannot be rendered',
  ],
  ['lambdas/adapters/dynamodb/batch.ts', new BatchIncompleteError('BatchWriteItem', 3, 8), 503, 'Database busy'],
  ['lambdas/adapters/oidc/oidc-verifier.ts', new IssuerUnavailableError('the issuer did not answer'), 503, 'Identity provider unavailable'],
  [
    'lambdas/adapters/sqs/errors.ts',
    new QueueSendError(
      [
        {
          type: 'membership.recompute',
          index: 0,
          code: 'InternalError',
          message: 'sqs.internal.example: connect ECONNREFUSED',
          senderFault: false,
        },
      ],
      1,
    ),
    503,
    'Queue unavailable',
  ],
  [
    'lambdas/adapters/sqs/errors.ts',
    new SqsResponseError('SQS returned no QueueArn for http://127.0.0.1:9324/000000000000/tether-work'),
    502,
    'Bad queue response',
  ],
  [
    'lambdas/adapters/sqs/errors.ts',
    new UnsupportedLambdaApiError('context.done() is the pre-async Lambda API'),
    500,
    'Unsupported Lambda API',
  ],
  ['lambdas/local/dynamo-embedded.ts', new DynaliteError('dynalite data directory /srv/tether is locked'), 503, 'Database unavailable'],
  ['lambdas/local/sqs-embedded.ts', new SqsEmulatorError('fauxqs could not listen on 127.0.0.1:9324'), 503, 'Queue unavailable'],
  ['lambdas/local/queue-poller.ts', new DrainTimeoutError(100, { visible: 1, inFlight: 2, delayed: 0 }, 1), 504, 'Queue not drained'],
  ['lambdas/local/queue-poller.ts', new PollerStoppedError('the queue poller was stopped'), 503, 'Queue poller stopped'],
  ['lambdas/local/queue-poller.ts', new DeleteFailedError('could not delete 2 processed messages'), 503, 'Queue unavailable'],
  ['agent/command.ts', new AgentRunError('the agent stopped'), 500, 'Agent run failed'],
  ['agent/pack.ts', new PackError('payload over 900 KiB'), 500, 'Payload cannot be packed'],
  [
    'agent/kube/errors.ts',
    new KubeConflictError('Deployment web/app', [{ manager: 'kubectl', field: '.spec.replicas' }]),
    409,
    'Kubernetes conflict',
  ],
  ['agent/kube/errors.ts', new KubeNotFoundError('namespace web not found', 'Deployment web/app'), 404, 'Kubernetes object not found'],
  ['agent/kube/errors.ts', new KubeAlreadyExistsError('Deployment web/app'), 409, 'Kubernetes object already exists'],
  ['agent/kube/errors.ts', new KubeUnknownKindError('example.com/v1', 'Widget'), 422, 'Unknown Kubernetes kind'],
  [
    'agent/kube/errors.ts',
    new KubeInvalidError('spec.replicas: Invalid value', [{ field: 'spec.replicas', message: 'must be >= 0' }]),
    422,
    'Invalid Kubernetes object',
  ],
  ['agent/kube/errors.ts', new KubeForbiddenError('cannot create deployments'), 403, 'Kubernetes access forbidden'],
  ['agent/kube/errors.ts', new KubeUnavailableError('connect ECONNREFUSED 10.0.0.1:6443', 3), 503, 'Kubernetes API unavailable'],
  ['agent/kube/errors.ts', new KubeTimeoutError('CRDs not established after 30s'), 504, 'Kubernetes API timed out'],
  ['agent/kube/errors.ts', new KubeRequestError('the server answered 410', 410), 502, 'Kubernetes API request failed'],
  ['agent/kube/errors.ts', new KubeConfigError('no kubeconfig at /home/x/.kube/config'), 500, 'Kubernetes client not configured'],
  ['agent/errors.ts', new HubUnavailableError('the hub answered desired with HTTP 503', 1000, 503), 503, 'Hub unavailable'],
  ['agent/errors.ts', new CredentialRejectedError('the hub rejected the credential', 403, 'revoked'), 401, 'Credential rejected'],
  ['agent/errors.ts', new JoinPendingError('not accepted yet', 30_000), 409, 'Join pending'],
  ['agent/errors.ts', new HubProtocolError('the hub answered desired with HTTP 418', 418), 502, 'Hub protocol error'],
  ['agent/errors.ts', new AgentConfigError('no hub URL'), 500, 'Agent misconfigured'],
  ['cli/errors.ts', new UsageError('unknown kind "Widget"'), 400, 'Usage error'],
  ['cli/errors.ts', new HubProblemError(hubProblem, 'GET http://hub/v1/clusters/x'), 502, 'Hub refused the request'],
  ['cli/errors.ts', new HubUnreachableError('http://127.0.0.1:8080', 'ECONNREFUSED'), 503, 'Hub unreachable'],
  ['cli/errors.ts', new AuthMissingError(['token']), 401, 'Not logged in'],
  ['cli/errors.ts', new HubResponseError('the hub answered HTML'), 502, 'Bad hub response'],
  ['cli/table-access.ts', new TableAccessError('no table tether-prod in eu-west-1', 4), 502, 'Table access failed'],
  ['console/src/api.ts', new ConsoleHubProblemError(hubProblem), 502, 'Hub refused the request'],
  ['console/src/api.ts', new ConsoleHubUnreachableError('network down'), 503, 'Hub unreachable'],
  ['bench/hub.ts', new BenchHubError('dynalite did not start'), 500, 'Benchmark hub failed'],
  ['bench/lambda-probe.ts', new LambdaProbeError('child crashed'), 500, 'Lambda probe failed'],
  ['sim/fleet.ts', new FleetShardError('shard 2 exited'), 500, 'Fleet shard failed'],
  ['sim/child-process.ts', new ChildStartError('shard exited before it was ready'), 500, 'Simulator child failed'],
  ['sim/sim-agent.ts', new SimImportError('import answered 500'), 502, 'Cluster import failed'],
  ['bench/hub-process.ts', new HubProcessError('hub process exited'), 500, 'Hub process failed'],
  ['bench/b1-poll-cost.ts', new MeasurementError('the agent did not join'), 500, 'Measurement failed'],
];

const name = (err: TetherError) => err.constructor.name;

describe('toProblem over every error class', () => {
  it.each(CASES.map(([file, err, status, title]) => [`${file} ${name(err)}`, status, title, err] as const))(
    '%s → %d %s',
    (_label, status, title, err) => {
      expect(statusOf(err)).toBe(status);
      expect(titleOf(err)).toBe(title);
      expect(isServerError(err)).toBe(status >= 500);
      const { problem } = toProblem(err, '/v1/clusters');
      expect(problem).toMatchObject({ type: PROBLEM_BASE + err.code, title, status, instance: '/v1/clusters' });
      if (status < 500) {
        expect(problem.detail).toBe(err.message);
      } else {
        // A server error tells the caller nothing of its internals: not its message, not its stack.
        expect(problem.detail).toBe(GENERIC_DETAIL);
        expect(JSON.stringify(problem)).not.toContain(err.message);
        expect(JSON.stringify(problem)).not.toContain('    at ');
        expect(Object.keys(problem).sort()).toEqual(['detail', 'instance', 'status', 'title', 'type']);
      }
    },
  );

  it('lists every TetherError class declared in the repository, each with its own status and title', () => {
    const declared: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir)) {
        const path = join(dir, entry);
        if (statSync(path).isDirectory()) {
          if (entry !== 'node_modules' && entry !== 'dist') walk(path);
        } else if (path.endsWith('.ts') && !path.endsWith('.d.ts')) {
          const src = readFileSync(path, 'utf8');
          for (const m of src.matchAll(/^export class (\w+) extends (?:TetherError|KubeError)\b/gm))
            declared.push(`${relative(process.cwd(), path)} ${m[1]}`);
        }
      }
    };
    ['shared', 'lambdas', 'agent', 'cli', 'bench', 'sim', 'console/src'].forEach((d) => walk(join(process.cwd(), d)));
    const listed = CASES.map(([file, err]) => `${file} ${name(err)}`);
    expect([...new Set(listed)].sort()).toEqual(declared.sort());
    for (const [, err] of CASES) {
      expect([name(err), Object.hasOwn(err.constructor, 'status'), Object.hasOwn(err.constructor, 'title')]).toEqual([
        name(err),
        true,
        true,
      ]);
    }
  });
});

describe('toProblem details', () => {
  it('keeps the fields a client acts on, and the headers', () => {
    expect(toProblem(new ValidationError('bad', [{ path: 'spec.x', message: 'required' }])).problem.errors).toEqual([
      { path: 'spec.x', message: 'required' },
    ]);
    expect(toProblem(new ConflictError('changed', '9')).problem.currentResourceVersion).toBe('9');
    expect(toProblem(new PayloadTooLargeError(10, 20)).problem).toMatchObject({ limitBytes: 10, actualBytes: 20 });
    expect(toProblem(new MethodNotAllowedError('no', ['GET', 'PUT'])).headers).toEqual({ allow: 'GET, PUT' });
    expect(toProblem(new ThrottledError('slow down', 7)).headers).toEqual({ 'retry-after': '7' });
    expect(toProblem(new UnauthenticatedError('no token')).headers).toEqual({ 'www-authenticate': 'Bearer' });
    expect(toProblem(new NotFoundError('Cluster', 'x')).problem.instance).toBeUndefined();
  });

  it.each([
    ['an Error', new Error('ConditionalCheckFailed on table tether-prod-Table-1ABC')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'metadata')")],
    ['a thrown string', 'secret-internal-string'],
    ['undefined', undefined],
  ])('%s becomes a 500 internal problem with a generic detail', (_label, err) => {
    const { problem, headers } = toProblem(err, '/agent/v1/desired');
    expect(problem).toEqual({
      type: PROBLEM_BASE + 'internal',
      title: 'Internal error',
      status: 500,
      detail: GENERIC_DETAIL,
      instance: '/agent/v1/desired',
    });
    expect(headers).toEqual({});
    expect(isServerError(err)).toBe(true);
  });

  it('a server error that subclasses a client error still hides the client fields', () => {
    // The fields of a client error (errors, sizes) never ride on a 5xx: only the generic detail does.
    // (Statics are typed by their literal, so a subclass cannot re-declare them; define them instead.)
    class BrokenStoreError extends ValidationError {}
    Object.defineProperties(BrokenStoreError, { status: { value: 500 }, title: { value: 'Store broken' } });
    const { problem } = toProblem(new BrokenStoreError('table tether-prod rejected the item', [{ path: 'pk', message: 'too long' }]));
    expect(problem).toEqual({ type: PROBLEM_BASE + 'validation-failed', title: 'Store broken', status: 500, detail: GENERIC_DETAIL });
  });
});
