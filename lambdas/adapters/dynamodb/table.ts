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
  /**
   * Second generic sparse GSI (`gsi2pk`/`gsi2sk`, ALL projection). Used for the compliance history
   * by policy. Only one GSI may be added per table update (a CloudFormation limit), which is why
   * this is a separate, later index and not a change of gsi1.
   */
  gsi2: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
} as const;

/** The GSIs of the table, in the order they were added. */
export const TABLE_INDEXES = [TABLE.gsi1, TABLE.gsi2] as const;
