/**
 * The single table's physical shape, shared by the CDK construct (cdk/) and the local runtime,
 * so that both create exactly the same table. Item key shapes live in ./keys.ts.
 */
export const TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch-seconds attribute that DynamoDB TTL uses for clean-up only; expiry is checked in code. */
  ttlAttribute: 'ttl',
  /**
   * Generic sparse GSI: items that need a secondary access path set `gsi1pk`/`gsi1sk` (both strings).
   * Used for the lease index, the live set (sharded partitions, the cluster name as sort key).
   */
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;
