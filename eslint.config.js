import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.tether/', 'dist/', 'coverage/', 'console/dist/', '.scratch/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Tests read loosely typed JSON answers; `any` there keeps assertions readable.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Product code never reaches into the simulator, the benchmarks or the tests.
    files: ['lambdas/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/sim/**', '**/bench/**', '**/test/**'] }] },
  },
  {
    // Layering rules from docs/architecture.md: the domain never touches an SDK or an adapter.
    files: ['lambdas/core/**/*.ts', 'lambdas/capabilities/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@aws-sdk/*',
            '**/adapters/**',
            '**/handlers/**',
            '**/local/**',
            '@kubernetes/*',
            '**/sim/**',
            '**/bench/**',
            '**/test/**',
          ],
        },
      ],
    },
  },
  {
    // The generic core knows no capability and no HTTP.
    files: ['lambdas/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            '@aws-sdk/*',
            '**/adapters/**',
            '**/handlers/**',
            '**/local/**',
            '**/http/**',
            '**/capabilities/**',
            '@kubernetes/*',
            '**/sim/**',
            '**/bench/**',
            '**/test/**',
          ],
        },
      ],
    },
  },
  {
    // The CLI and the simulator ship to users; the benchmarks and the tests do not.
    files: ['cli/**/*.ts', 'sim/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/bench/**', '**/test/**'] }] },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@aws-sdk/*', '@kubernetes/*', '**/lambdas/**', '**/agent/**', '**/cli/**'] }],
    },
  },
  {
    files: ['agent/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['**/lambdas/**', '@aws-sdk/*', '**/sim/**', '**/bench/**', '**/test/**'] }] },
  },
);
