import { Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { ValidationError } from '../shared/errors.js';
import { BackupPlan, BackupPlanRule, BackupResource, BackupSelection, BackupVault, type IBackupPlan } from 'aws-cdk-lib/aws-backup';
import { AttributeType, Billing, TableEncryptionV2, TableV2, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TABLE } from '../lambdas/adapters/dynamodb/table.js';

/** Id of the synth warning for a `prod` table without a fixed name (acknowledge it as `Annotation::` + this). */
export const PROD_TABLE_WITHOUT_NAME = 'tether:prodTableWithoutName';

/** The hub's table: a new one, or an existing one (for example after a point-in-time restore). */
export interface HubTableOptions {
  /**
   * Use this existing table instead of creating one: a table restored from a point-in-time or
   * AWS Backup recovery, or the table a destroyed `prod` stack retained. It must have the hub's
   * shape (pk/sk, TTL `ttl`, gsi1 and gsi2; a restore keeps it). The stack does not manage it:
   * deletion protection, PITR, encryption and replicas stay as they are.
   * @default a new table
   */
  readonly existingTableName?: string;
  /**
   * Physical name of a NEW table. Give one in `prod`: after a `destroy` (which retains the table)
   * a later `deploy` then fails with "already exists" instead of silently starting on a new, empty
   * table, and you re-attach with {@link existingTableName}. Changing it replaces the table.
   * @default a name CloudFormation generates
   */
  readonly tableName?: string;
  /**
   * Customer-managed KMS key of the table (works may carry Kubernetes Secrets). With an existing
   * table, pass the key it is encrypted with so the functions may use it.
   * @default an AWS-owned key
   */
  readonly encryptionKey?: IKey;
  /**
   * Replica regions of a new table (TableV2 is a global table). Needs a stack with an explicit
   * region. With {@link encryptionKey}, {@link replicaKeyArns} must name a key in each region.
   * @default no replicas
   */
  readonly replicaRegions?: string[];
  /** KMS key ARN per replica region, required with both {@link encryptionKey} and replicas. */
  readonly replicaKeyArns?: Record<string, string>;
  /**
   * AWS Backup of the table: `true` creates a vault and a plan (daily backups kept 35 days), or
   * pass your own plan to add the table to it. Point-in-time recovery (35 days) is always on for a
   * new table; backups add copies that outlive the table and its stack.
   * @default no backup plan
   */
  readonly backup?: boolean | IBackupPlan;
}

/** Creates or imports the hub's table, and its backup selection. */
export class HubTable extends Construct {
  readonly table: ITableV2;
  /** The backup plan the table is in, when {@link HubTableOptions.backup} is set. */
  readonly backupPlan?: IBackupPlan;

  constructor(scope: Construct, id: string, props: HubTableOptions & { prod: boolean }) {
    super(scope, id);
    const removalPolicy = props.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    if (props.existingTableName !== undefined) {
      this.table = TableV2.fromTableAttributes(this, 'Existing', {
        tableName: props.existingTableName,
        encryptionKey: props.encryptionKey,
      });
    } else {
      if ((props.encryptionKey || props.replicaRegions?.length) && Token.isUnresolved(Stack.of(this).region)) {
        // TableV2 renders key and replica settings per region, which needs the region at synth time.
        throw new ValidationError('Invalid TableV2 options: a customer-managed key or replicas need a stack with an explicit region', [
          { path: props.encryptionKey ? 'table.encryptionKey' : 'table.replicaRegions', message: 'needs a stack with env.region set' },
        ]);
      }
      if (props.prod && props.tableName === undefined) {
        // Not an error: stacks deployed before tableName existed must not be forced to replace
        // their table. But say it on every synth, so a destroy-then-deploy is never a surprise.
        Validations.of(this).addWarning(
          PROD_TABLE_WITHOUT_NAME,
          'prod table without tableName: after a destroy (which retains the table) a new deploy creates a new, EMPTY table. ' +
            'Set tableName for a new stack, or existingTableName to re-attach a retained or restored table (docs/deploy.md, "Destroy and deploy again in prod").',
        );
      }
      this.table = new TableV2(scope, 'Table', {
        tableName: props.tableName,
        partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
        sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
        billing: Billing.onDemand(),
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        timeToLiveAttribute: TABLE.ttlAttribute,
        deletionProtection: props.prod,
        removalPolicy,
        ...(props.encryptionKey && { encryption: TableEncryptionV2.customerManagedKey(props.encryptionKey, props.replicaKeyArns) }),
        ...(props.replicaRegions?.length && { replicas: props.replicaRegions.map((region) => ({ region })) }),
        globalSecondaryIndexes: [
          {
            indexName: TABLE.gsi1.indexName,
            partitionKey: { name: TABLE.gsi1.partitionKey, type: AttributeType.STRING },
            sortKey: { name: TABLE.gsi1.sortKey, type: AttributeType.STRING },
          },
          // Added after gsi1: CloudFormation creates at most one GSI per table update, so an
          // existing stack gains it in one deploy; never add two here in the same change.
          {
            indexName: TABLE.gsi2.indexName,
            partitionKey: { name: TABLE.gsi2.partitionKey, type: AttributeType.STRING },
            sortKey: { name: TABLE.gsi2.sortKey, type: AttributeType.STRING },
          },
        ],
      });
    }
    if (props.backup) {
      const plan =
        props.backup === true
          ? new BackupPlan(this, 'BackupPlan', {
              backupVault: new BackupVault(this, 'BackupVault', { removalPolicy: RemovalPolicy.RETAIN }),
              backupPlanRules: [
                new BackupPlanRule({
                  ruleName: 'Daily35Days',
                  scheduleExpression: Schedule.cron({ hour: '3', minute: '0' }),
                  deleteAfter: Duration.days(35),
                }),
              ],
            })
          : props.backup;
      const selection = new BackupSelection(this, 'BackupSelection', {
        backupPlan: plan,
        resources: [BackupResource.fromArn(this.table.tableArn)],
      });
      Validations.of(selection).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
        reason: "AWS Backup's own service-role policy, for the role Backup assumes to take the backups; AWS keeps it to what Backup needs.",
      });
      this.backupPlan = plan;
    }
  }
}
