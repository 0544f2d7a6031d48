/**
 * Bounded concurrency: the one limiter of the code base (the rollout steps, ingest, the DynamoDB
 * batch writer, the SQS queue adapter, the simulator and the benchmarks use it). It is `p-map`:
 * results in input order, at most `concurrency` calls in flight, and on the first rejection no
 * further call starts (`stopOnError`, the default).
 */
export { default as pMap, type Options as PMapOptions } from 'p-map';
