// Jest runs in native ESM mode (NODE_OPTIONS=--experimental-vm-modules, set by the npm scripts).
// Why: @kubernetes/client-node, middy and the SQS emulator are ESM-only; running ESM natively
// avoids compiling node_modules. @swc/jest strips types only (tsc --noEmit type-checks separately).
// keepImportAttributes: shared/version.ts imports package.json `with { type: 'json' }`, which Node
// requires; swc would otherwise drop the attribute.
const swc = [
  '@swc/jest',
  {
    jsc: { target: 'es2022', parser: { syntax: 'typescript' }, experimental: { keepImportAttributes: true } },
    module: { type: 'es6' },
  },
];

const common = {
  transform: { '^.+\\.ts$': swc },
  extensionsToTreatAsEsm: ['.ts'],
  // Source imports use NodeNext-style `.js` suffixes; map them back to the `.ts` files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/infra/**/*.test.ts'],
    },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};
