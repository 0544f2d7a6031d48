import { checkName, checkSelector, parseLabelFlags, parsePositiveInt, resolveKind, scopeFor } from '../../../cli/args.js';
import { AuthMissingError, ExitCode, exitCodeFor, HubProblemError, HubUnreachableError, UsageError } from '../../../cli/errors.js';
import { MalformedInputError, ValidationError } from '../../../shared/errors.js';
import { KINDS } from '../../../shared/resources/kinds.js';

describe('kinds', () => {
  test.each(['clusters', 'cluster', 'cl', 'Cluster', 'CLUSTERS'])('"%s" is Cluster', (text) => {
    expect(resolveKind(text).kind).toBe('Cluster');
  });

  test('an unknown kind is a usage error that lists the known kinds', () => {
    expect(() => resolveKind('pods')).toThrow(UsageError);
    expect(() => resolveKind('pods')).toThrow(
      'unknown resource kind "pods"; known kinds: clusters (cluster, cl), clustersets (clusterset, cs)',
    );
  });

  test('--cluster is required for namespaced kinds and refused for the others', () => {
    const work = { ...KINDS.Cluster, kind: 'Work', plural: 'works', singular: 'work', namespaced: true };
    expect(scopeFor(work, 'store-1')).toEqual({ cluster: 'store-1' });
    expect(() => scopeFor(work, undefined)).toThrow('works belong to a cluster: pass --cluster NAME');
    expect(scopeFor(KINDS.Cluster, undefined)).toEqual({});
    expect(() => scopeFor(KINDS.Cluster, 'x')).toThrow('clusters are not scoped to a cluster');
  });
});

describe('selectors, labels, names, numbers', () => {
  test('selectors are validated locally with the shared parser', () => {
    expect(checkSelector(' tier=store,region in (a,b),!legacy ')).toBe('tier=store,region in (a,b),!legacy');
    expect(checkSelector('')).toBeUndefined();
    expect(checkSelector(undefined)).toBeUndefined();
    for (const bad of ['a in (b', '=x', 'tier=store,', 'Bad Key=1']) {
      expect(() => checkSelector(bad)).toThrow(UsageError);
    }
    expect(() => checkSelector('a in (b')).toThrow(/^invalid label selector "a in \(b"/);
  });

  test('--label flags follow Kubernetes rules', () => {
    expect(parseLabelFlags(['tier=store', 'tether.dev/clusterset=east', 'empty='])).toEqual({
      tier: 'store',
      'tether.dev/clusterset': 'east',
      empty: '',
    });
    expect(parseLabelFlags(undefined)).toBeUndefined();
    expect(() => parseLabelFlags(['novalue'])).toThrow('invalid --label "novalue": expected key=value');
    expect(() => parseLabelFlags(['=x'])).toThrow(UsageError);
    expect(() => parseLabelFlags(['tier=has space'])).toThrow(/label value "has space"/);
    expect(() => parseLabelFlags(['UPPER_/x=1'])).toThrow(/key prefix/);
  });

  test('names are DNS-1123 labels and limits positive integers', () => {
    expect(checkName('store-0001')).toBe('store-0001');
    for (const bad of ['Store', '-a', 'a-', 'a_b', 'a'.repeat(64), '']) expect(() => checkName(bad)).toThrow(UsageError);
    expect(parsePositiveInt('10', '--limit')).toBe(10);
    for (const bad of ['0', '-1', '1.5', 'ten', '']) expect(() => parsePositiveInt(bad, '--limit')).toThrow(UsageError);
  });
});

describe('exit codes', () => {
  const problem = (status: number) => new HubProblemError({ type: 'about:blank', title: 't', status, detail: 'd' }, 'GET /');
  test.each([
    [new UsageError('x'), ExitCode.Usage],
    [new ValidationError('x'), ExitCode.Usage],
    [new AuthMissingError(['token']), ExitCode.Unreachable],
    [new HubUnreachableError('http://h', 'ECONNREFUSED'), ExitCode.Unreachable],
    [problem(401), ExitCode.Unreachable],
    [problem(403), ExitCode.Failed],
    [problem(404), ExitCode.NotFound],
    [problem(409), ExitCode.Conflict],
    [problem(422), ExitCode.Failed],
    [problem(500), ExitCode.Failed],
    [new MalformedInputError('x'), ExitCode.Failed],
    [new Error('boom'), ExitCode.Failed],
  ])('%p exits %d', (err, code) => {
    expect(exitCodeFor(err)).toBe(code);
  });
});
