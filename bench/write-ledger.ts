import { AsyncLocalStorage } from 'node:async_hooks';
import type { ConsumedCapacity, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Ports } from '../lambdas/ports/index.js';

/**
 * Which of the hub's ports wrote what: every DynamoDB write item the hub's client sends is booked
 * under the port call it came from (`resources.replace PolicyCompliance`, `complianceHistory.append`,
 * `heads.bumpRevision`, ...), so a benchmark can tell the writes of compliance ingestion from the
 * writes of the change that caused it and from the fleet's background (heartbeats). The port call
 * is carried to the SDK middleware by an AsyncLocalStorage; the innermost port call wins.
 *
 * Write items: PutItem, UpdateItem and DeleteItem count one each; BatchWriteItem and
 * TransactWriteItems count each request they carry (a batch of 25 events is 25 items, what
 * DynamoDB bills per item). Index replication (gsi2 of an event) is not an item: the cost model
 * adds it as write units.
 */

/** Write items by port call since the last reset. */
export type WriteItems = Record<string, number>;

/** Operations that accept `ReturnConsumedCapacity` and write. */
const WRITES_WITH_CAPACITY = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

/** Ports whose calls reach DynamoDB. */
const WRITING_PORTS = [
  'resources',
  'heads',
  'heartbeats',
  'relations',
  'adminTokens',
  'audits',
  'audit',
  'complianceHistory',
  'pendingChanges',
  'secrets',
] as const;

/** Items one write command carries (0 for a read). */
export function writeItemsOf(operation: string, input: unknown): number {
  switch (operation) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return 1;
    case 'BatchWriteItem': {
      const requests = (input as { RequestItems?: Record<string, unknown[]> }).RequestItems ?? {};
      return Object.values(requests).reduce((n, list) => n + list.length, 0);
    }
    case 'TransactWriteItems':
      return ((input as { TransactItems?: unknown[] }).TransactItems ?? []).length;
    default:
      return 0;
  }
}

/** The label of one port call: the port, the method and, for resources, the kind. */
export function portCallLabel(port: string, method: string, args: readonly unknown[]): string {
  if (port !== 'resources') return `${port}.${method}`;
  const first = args[0] as { kind?: unknown } | string | undefined;
  const kind = typeof first === 'string' ? first : typeof first?.kind === 'string' ? first.kind : undefined;
  return kind ? `resources.${method} ${kind}` : `resources.${method}`;
}

/** Books the hub's DynamoDB write items under the port calls that sent them. */
export class WriteLedger {
  private readonly scope = new AsyncLocalStorage<string>();
  private items: WriteItems = {};
  private units: WriteItems = {};

  /** Wraps the writing ports of `ports` in place and counts the writes of `client`. */
  attach(ports: Ports, client: DynamoDBClient): void {
    const record = ports as unknown as Record<string, object>;
    for (const name of WRITING_PORTS) {
      const target = record[name];
      if (target) record[name] = this.wrap(name, target);
    }
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = (context.commandName ?? '').replace(/Command$/, '');
        const n = writeItemsOf(operation, args.input);
        if (n === 0) return next(args);
        const label = this.scope.getStore() ?? 'other';
        this.items[label] = (this.items[label] ?? 0) + n;
        const input = args.input as { ReturnConsumedCapacity?: string };
        const asked = WRITES_WITH_CAPACITY.has(operation) && input.ReturnConsumedCapacity === undefined;
        const result = await next(asked ? { ...args, input: { ...args.input, ReturnConsumedCapacity: 'TOTAL' } } : args);
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
        if (consumed !== undefined) {
          const u = [consumed].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
          this.units[label] = (this.units[label] ?? 0) + u;
        }
        return result;
      },
      { step: 'initialize', name: 'tetherWriteLedger' },
    );
  }

  /** Write items by port call since the last reset. */
  snapshot(): WriteItems {
    return { ...this.items };
  }

  /**
   * Write capacity units by port call since the last reset, as the server reported them (DynamoDB
   * Local counts index writes; dynalite does not).
   */
  writeUnits(): WriteItems {
    return { ...this.units };
  }

  reset(): void {
    this.items = {};
    this.units = {};
  }

  private wrap<T extends object>(port: string, target: T): T {
    const scope = this.scope;
    return new Proxy(target, {
      get(t, key) {
        const value = Reflect.get(t, key, t) as unknown;
        if (typeof value !== 'function' || typeof key !== 'string') return value;
        return (...args: unknown[]) =>
          scope.run(portCallLabel(port, key, args), () => (value as (...a: unknown[]) => unknown).apply(t, args));
      },
    });
  }
}
