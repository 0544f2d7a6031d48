import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { parseDesired, ResourceService } from '../../lambdas/core/resource-service.js';
import { parseDocuments } from '../../shared/manifests.js';
import { memoryHubContext } from '../support/memory-hub.js';

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

for (const example of ['governance', 'resource-sync'])
  describe(`docs/examples/${example}`, () => {
    const dir = new URL(`../../docs/examples/${example}/`, import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      it(`${file} is accepted by the hub as written (schema, templates, references)`, async () => {
        const hub = memoryHubContext();
        const service = new ResourceService(hub.ctx);
        const docs = parseDocuments(readFileSync(new URL(file, dir), 'utf8'), file);
        expect(docs.length).toBeGreaterThan(0);
        for (const [i, doc] of docs.entries()) {
          const out = await service.apply(parseDesired(doc, undefined, `${file} document ${i + 1}`), false);
          expect(out.action).toBe('created');
        }
      });
    }
  });
