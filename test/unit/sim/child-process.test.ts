import { describe, expect, it } from '@jest/globals';
import { deathReason, tsxLoaderUrl } from '../../../sim/child-process.js';

describe('deathReason', () => {
  it('picks the error line out of a Node stack trace', () => {
    const stderr = [
      'node:internal/modules/esm/resolve:873',
      '  throw new ERR_MODULE_NOT_FOUND(packageName, fileURLToPath(base), null);',
      '        ^',
      '',
      "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'tsx' imported from /tmp/",
      '    at packageResolve (node:internal/modules/esm/resolve:873:9)',
      '}',
      '',
      'Node.js v20.20.2',
    ].join('\n');
    expect(deathReason(stderr)).toBe("Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'tsx' imported from /tmp/");
    expect(deathReason('TypeError: x is not a function\n    at y\n')).toBe('TypeError: x is not a function');
  });

  it('falls back to the last line, or nothing', () => {
    expect(deathReason('out of memory\nkilled\n')).toBe('killed');
    expect(deathReason('')).toBe('');
  });
});

describe('tsxLoaderUrl', () => {
  it('is an absolute file URL of the installed tsx loader, whatever the current directory', () => {
    expect(tsxLoaderUrl()).toMatch(/^file:\/\/\/.*\/node_modules\/tsx\/dist\/loader\.mjs$/);
  });
});
