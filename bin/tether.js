#!/usr/bin/env node
// Launcher for the `tether` CLI: runs the TypeScript sources through tsx, so a checkout needs no
// build step. Kept plain JavaScript so Node can start it directly.
import module from 'node:module';
import { register } from 'tsx/esm/api';

// Node 22 can cache compiled code between runs; Node 20 has no such API and skips this.
module.enableCompileCache?.();
// The sources need nothing from a tsconfig to run, and the user's current directory may hold an
// unrelated one that tsx would otherwise pick up.
register({ tsconfig: false });
// Dependencies are pinned exactly, so the SDK's notice about future releases needing Node 22 is
// noise for CLI users; Lambda runs nodejs22.x anyway.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `tether get ... | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const { run } = await import('../cli/main.ts');
process.exitCode = await run(process.argv.slice(2));
