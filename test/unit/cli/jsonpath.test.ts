import { jsonpathOutput, parseTemplate, sortByPath } from '../../../cli/output/jsonpath.js';
import { UsageError } from '../../../cli/errors.js';

const list = {
  kind: 'ClusterList',
  items: [
    { metadata: { name: 'a', labels: { tier: 'store' } }, status: { n: 10 } },
    { metadata: { name: 'b' }, status: { n: 9 } },
  ],
};

describe('jsonpath templates', () => {
  test('several matches are joined by a space; text outside braces is kept; objects print as JSON', () => {
    expect(jsonpathOutput('{.items[*].metadata.name}', list)).toBe('a b');
    expect(jsonpathOutput('names: {.items[*].metadata.name}!', list)).toBe('names: a b!');
    expect(jsonpathOutput('{.items[0].metadata.labels}', list)).toBe('{"tier":"store"}');
    expect(jsonpathOutput('{$.kind}', list)).toBe('ClusterList');
  });

  test('range/end with quoted escapes; paths inside a range are relative to the element; $ is the root', () => {
    expect(jsonpathOutput('{range .items[*]}{.metadata.name}={.status.n}{"\\n"}{end}', list)).toBe('a=10\nb=9\n');
    expect(jsonpathOutput('{range .items[*]}{$.kind}/{.metadata.name} {end}', list)).toBe('ClusterList/a ClusterList/b ');
  });

  test('a missing path prints nothing; a brace inside a quoted string does not close the expression', () => {
    expect(jsonpathOutput('[{.items[1].metadata.labels.tier}]', list)).toBe('[]');
    expect(jsonpathOutput('{"}"}', list)).toBe('}');
  });

  test('malformed templates are usage errors', () => {
    for (const bad of ['{.a', '{end}', '{range .items[*]}x', '{}', '{"unterminated}']) expect(() => parseTemplate(bad)).toThrow(UsageError);
  });
});

describe('sortByPath', () => {
  test('numbers by value, text as text, missing last, stable', () => {
    const items = [{ v: 10, id: 1 }, { v: 9, id: 2 }, { id: 3 }, { v: 9, id: 4 }];
    expect(sortByPath(items, '.v').map((i) => i.id)).toEqual([2, 4, 1, 3]);
    expect(sortByPath([{ s: 'b' }, { s: 'a' }], '{.s}').map((i) => i.s)).toEqual(['a', 'b']);
    expect(() => sortByPath(items, '{}')).toThrow(UsageError);
  });
});
