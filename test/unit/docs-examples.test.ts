import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

/**
 * docs/rollouts.md shows the YAML of docs/examples/rollouts/ inline, under a link to each file; the
 * e2e test applies the files. This keeps the two from drifting apart.
 */

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const withoutComments = (text: string) =>
  text
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n')
    .trim();

describe('docs/rollouts.md', () => {
  const guide = read('docs/rollouts.md');
  for (const file of ['placement.yaml', 'pos.yaml']) {
    it(`shows docs/examples/rollouts/${file} exactly`, () => {
      const block = new RegExp(
        `\\[\`docs/examples/rollouts/${file.replace('.', '\\.')}\`\\]\\(examples/rollouts/${file.replace('.', '\\.')}\\):\\n\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\``,
      ).exec(guide);
      expect(block).not.toBeNull();
      expect(block![1].trim()).toBe(withoutComments(read(`docs/examples/rollouts/${file}`)));
    });
  }
});
