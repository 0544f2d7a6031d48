/**
 * A fleet shard in a child process (see ./fleet.ts): the parent sends the clusters to simulate
 * over IPC, then asks for reports; this process runs the agents. Started with tsx's loader.
 */
import { FleetShard, type ShardOptions } from './fleet-shard.js';
import type { ShardRequest } from './fleet.js';

let shard: FleetShard | undefined;

process.on('message', (raw) => {
  const msg = raw as ShardRequest;
  const reply = (body: object) => process.send?.({ id: msg.id, ...body });
  switch (msg.type) {
    case 'join':
      shard = new FleetShard(msg.options as ShardOptions);
      shard
        .join((joined, failed) => process.send?.({ type: 'progress', joined, failed }))
        .then(
          () => reply({ type: 'joined' }),
          (err: Error) => reply({ type: 'error', error: err.message }),
        );
      break;
    case 'run':
      shard?.run();
      reply({ type: 'ok' });
      break;
    case 'report':
      reply({ type: 'report', report: shard?.report() });
      break;
    case 'marks':
      reply({ type: 'marks', marks: shard?.markTimes(msg.mark ?? '', msg.objects ?? 1) });
      break;
    case 'stop':
      void (shard?.stop() ?? Promise.resolve()).then(() => reply({ type: 'stopped' }));
      break;
  }
});
// A parent that dies must not leave agents polling.
process.on('disconnect', () => {
  void (shard?.stop() ?? Promise.resolve()).then(() => process.exit(0));
});
process.send?.({ type: 'ready' });
