/**
 * The embedded dynalite on a worker thread of its own, started by startDynalite() in
 * ./dynamo-embedded.ts: its request handling, LevelDB work and garbage collection run beside the
 * hub's event loop instead of on it.
 *
 * Plain JavaScript on purpose: a worker thread does not inherit the TypeScript loader (tsx) of the
 * thread that starts it, and this file needs nothing but dynalite and Node.
 *
 * workerData: { dynalite: absolute path of dynalite's entry module, path?: LevelDB directory }.
 * Messages to the parent: { type: 'ready', port } once listening on 127.0.0.1, { type: 'failed',
 * message } if it cannot start, { type: 'closed', error? } after a { type: 'close' } request.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const { dynalite: dynalitePath, path } = workerData;
const requireFromDynalite = createRequire(dynalitePath);

/**
 * dynalite opens LevelDB lazily, so a directory locked by another process (a second `tether dev`
 * on the same data directory) would only fail the first request. Open and close it once here so
 * that start-up fails instead, with LevelDB's reason.
 */
async function checkStore() {
  if (!path) return;
  const { Level } = requireFromDynalite('level');
  const probe = new Level(path, { valueEncoding: 'json' });
  try {
    await probe.open();
  } catch (error) {
    const reason = error.cause?.message ?? error.message;
    throw new Error(`cannot open the DynamoDB data in ${path} (is another tether dev using it?): ${reason}`, { cause: error });
  }
  await probe.close();
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server.address().port);
    });
  });
}

let server;
try {
  await checkStore();
  const dynalite = requireFromDynalite(dynalitePath);
  server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  parentPort.postMessage({ type: 'ready', port: await listen(server) });
} catch (error) {
  parentPort.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  parentPort.close();
}

parentPort.on('message', (message) => {
  if (message?.type !== 'close' || !server) return;
  // dynalite's close stops the HTTP server, then waits for pending store operations and closes
  // LevelDB; keep-alive sockets of clients that were not destroyed would hold it open.
  server.close((error) => {
    parentPort.postMessage({ type: 'closed', ...(error ? { error: error.message } : {}) });
    parentPort.close();
  });
  server.closeAllConnections();
});
