import { Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { TABLE } from '../lambdas/adapters/dynamodb/table.js';

/**
 * Partition-key prefix of admin-token items (`T#{sha256}`, see lambdas/adapters/dynamodb/keys.ts).
 * Only the admin function reads or writes them; every other function is denied the prefix.
 */
export const ADMIN_TOKEN_KEY_PREFIX = 'T#';

/**
 * DynamoDB actions the hub's code sends (lambdas/adapters/dynamodb/*): single-item reads and
 * writes, BatchGetItem (resources, heads), BatchWriteItem (relations, audit records, compliance
 * events) and Query. Never Scan (only the local hub's table rebuild scans), never stream or
 * table-management actions.
 */
export const ITEM_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
] as const;

/** What one function may do with the table. */
export interface FunctionTableAccess {
  /**
   * Query the secondary indexes: gsi1 (the live set: the scheduler's lease sweep, and the admin and
   * worker paths that list live clusters) and gsi2 (compliance history by policy). The agent
   * function reads the table by key only.
   */
  readonly indexes: boolean;
  /** May touch admin-token items. Only the admin function (the admin API authenticates with them). */
  readonly adminTokens: boolean;
}

/** The access of each of the hub's functions, by the short name used in construct ids. */
export const FUNCTION_ACCESS: Record<'Admin' | 'Agent' | 'Worker' | 'Scheduler', FunctionTableAccess> = {
  Admin: { indexes: true, adminTokens: true },
  Agent: { indexes: false, adminTokens: false },
  Worker: { indexes: true, adminTokens: false },
  Scheduler: { indexes: true, adminTokens: false },
};

/**
 * Grants each function what its code uses and nothing more: the item actions on the table (and the
 * named indexes where it queries them), SendMessage on the work queue, the table's KMS key when it
 * has one; and, for every function but the admin one, an explicit Deny of any item whose
 * partition key starts with {@link ADMIN_TOKEN_KEY_PREFIX} (`dynamodb:LeadingKeys`), so even the
 * internet-facing agent function cannot mint or read an admin token. An explicit Deny wins over
 * any Allow, including one added later by the enclosing app.
 */
export function grantHubAccess(table: ITableV2, queue: IQueue, functions: Record<keyof typeof FUNCTION_ACCESS, IFunction>): void {
  for (const [name, fn] of Object.entries(functions) as Array<[keyof typeof FUNCTION_ACCESS, IFunction]>) {
    const access = FUNCTION_ACCESS[name];
    const indexArns = [TABLE.gsi1.indexName, TABLE.gsi2.indexName].map((index) => `${table.tableArn}/index/${index}`);
    fn.addToRolePolicy(
      new PolicyStatement({
        sid: 'TetherTableItems',
        actions: [...ITEM_ACTIONS],
        resources: [table.tableArn],
      }),
    );
    if (access.indexes) {
      fn.addToRolePolicy(new PolicyStatement({ sid: 'TetherTableIndexes', actions: ['dynamodb:Query'], resources: indexArns }));
    }
    if (!access.adminTokens) {
      fn.addToRolePolicy(
        new PolicyStatement({
          sid: 'DenyAdminTokens',
          effect: Effect.DENY,
          actions: [...ITEM_ACTIONS],
          resources: [table.tableArn],
          conditions: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${ADMIN_TOKEN_KEY_PREFIX}*`] } },
        }),
      );
    }
    table.encryptionKey?.grantEncryptDecrypt(fn);
    queue.grantSendMessages(fn);
  }
}

/**
 * Acknowledges the X-Ray finding on a traced function's role: PutTraceSegments and
 * PutTelemetryRecords have no resource type, so IAM only accepts `*` for them.
 */
export function acknowledgeXray(fn: IFunction): void {
  if (!fn.role) return;
  Validations.of(fn.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; IAM requires Resource "*".',
  });
}
