/**
 * Process settings of the local hub that must be in place before any handler module loads;
 * local-hub.ts imports this module first (ES modules run their imports in order).
 *
 * The AWS X-Ray SDK, which Powertools' Tracer loads, starts in automatic mode: it enables an async
 * hook with destroy tracking that runs on every promise of the process. Outside Lambda the Tracer
 * is disabled and there is no X-Ray daemon, so the local hub asks for manual mode, which installs
 * no hook. In a CPU profile of the local hub serving 250 polls/s, the hook's callbacks took 7–8% of
 * the busy time of the hub's event loop, before the garbage they leave. Lambda is not affected:
 * this module is only imported by the local hub.
 */
if (!process.env.AWS_LAMBDA_FUNCTION_NAME) process.env.AWS_XRAY_MANUAL_MODE ??= 'true';

// The embedded SQS emulator keeps its queue in node:sqlite, which Node 22 flags as experimental on
// every start; that one warning says nothing a local hub's user can act on, so it is not printed.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const text = typeof warning === 'string' ? warning : warning.message;
  if (text.startsWith('SQLite is an experimental feature')) return;
  (emitWarning as (w: string | Error, ...r: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;

export {};
