/**
 * Builds the SQSClient the hub uses, for real SQS or for an emulator endpoint.
 */
import { SQSClient } from '@aws-sdk/client-sqs';

/** Options for {@link createSqsClient}. */
export interface SqsClientOptions {
  /**
   * An emulator or VPC endpoint URL, e.g. `http://127.0.0.1:4566`. When set, the client uses
   * dummy credentials (emulators do not check signatures) and always talks to this endpoint.
   */
  endpoint?: string;
  /** AWS region; defaults to `us-east-1` for an endpoint, otherwise the SDK's default chain. */
  region?: string;
}

/**
 * Creates an SQSClient. Without an endpoint it is the SDK's ordinary client (credentials and
 * region from the environment, as in Lambda).
 *
 * With an endpoint, `useQueueUrlAsEndpoint` is off: the SDK would otherwise send each request to
 * the host named in the QueueUrl, and some emulators hand out URLs whose host does not resolve.
 *
 * @example
 * const client = createSqsClient({ endpoint: emulator.endpoint });
 */
export function createSqsClient(options: SqsClientOptions = {}): SQSClient {
  if (options.endpoint === undefined) {
    return new SQSClient(options.region === undefined ? {} : { region: options.region });
  }
  return new SQSClient({
    endpoint: options.endpoint,
    region: options.region ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    useQueueUrlAsEndpoint: false,
  });
}
