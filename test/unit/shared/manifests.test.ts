import { describe, expect, it } from '@jest/globals';
import { MalformedInputError } from '../../../shared/errors.js';
import { parseDocuments } from '../../../shared/manifests.js';

/** What a YAML syntax error says: where, what, and the line itself; never a dangling colon. */

function messageOf(text: string): string {
  try {
    parseDocuments(text, 'fleet.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(MalformedInputError);
    return (err as Error).message;
  }
  throw new Error('parsed without an error');
}

describe('YAML syntax errors', () => {
  it('name the line and column and quote the offending line', () => {
    expect(messageOf('kind: Cluster\nmetadata:\n  name: x\n    labels: {}\n')).toBe(
      'fleet.yaml: invalid YAML at line 3, column 9: Nested mappings are not allowed in compact mappings: "  name: x"',
    );
    expect(messageOf('kind: Cluster\nmetadata:\n  labels:\n    a: b\n   c: d\n  name: x\n')).toBe(
      'fleet.yaml: invalid YAML at line 5, column 1: All mapping items must start at the same column: "   c: d"',
    );
  });

  it('say so when the problem is at the end of the input', () => {
    expect(messageOf('kind: Cluster\nmetadata:\n  name: [unclosed\n')).toBe(
      'fleet.yaml: invalid YAML at line 4, column 1: Flow sequence in block collection must be sufficiently indented and end with a ] (at the end of the input)',
    );
  });

  it('never end in a colon or carry a code frame', () => {
    for (const text of ['a: b\n  c: d\n', 'x: [1, 2\n', 'k: v\nk: w\n', '{"a": [1\n']) {
      const message = messageOf(text);
      expect(message).not.toMatch(/:\s*$/);
      expect(message).not.toContain('\n');
    }
  });
});
