#!/usr/bin/env node
// Launcher for the `tether` CLI: runs the TypeScript sources through tsx, so a checkout needs no
// build step. Kept plain JavaScript so Node can start it directly.
import module from 'node:module';
import { register } from 'tsx/esm/api';

// Node 22 caches compiled code between runs. The `?.`: an older Node must get as far as the
// version check below, which tells the user what to install.
module.enableCompileCache?.();
// The sources need nothing from a tsconfig to run, and the user's current directory may hold an
// unrelated one that tsx would otherwise pick up.
register({ tsconfig: false });

// Before the CLI and its dependencies load: on an older Node they would fail with errors that do
// not say the Node version is the problem.
const { nodeVersionProblem } = await import('../cli/node-version.ts');
const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

// `tether get ... | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const { run } = await import('../cli/main.ts');
process.exitCode = await run(process.argv.slice(2));
