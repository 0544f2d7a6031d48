#!/usr/bin/env node
// Launcher for the `tether` CLI: runs the TypeScript sources through tsx, so a checkout needs no
// build step. Kept plain JavaScript so Node can start it directly.
import { register } from 'tsx/esm/api';

register();

// `tether get ... | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const { run } = await import('../cli/main.ts');
process.exitCode = await run(process.argv.slice(2));
