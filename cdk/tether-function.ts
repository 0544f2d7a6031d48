import { Duration, RemovalPolicy, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../shared/errors.js';
import { FUNCTION_MEMORY_MB } from './function-defaults.js';

/**
 * ESM bundles have no `require`, but some dependencies (CJS packages inlined by esbuild) still
 * call it for Node built-ins. Re-create it from the module URL; the alias avoids clashing with
 * any `createRequire` the bundle itself imports.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __tetherCreateRequire } from 'node:module'; " + 'const require = __tetherCreateRequire(import.meta.url);';

/** Node runtimes the hub's functions may run on; the bundles target the same Node version. */
export const NODE_RUNTIMES = ['nodejs22.x', 'nodejs24.x'] as const;
/** A Node runtime of the hub's functions. */
export type NodeRuntime = (typeof NODE_RUNTIMES)[number];

const RUNTIMES: Record<NodeRuntime, { runtime: Runtime; target: string }> = {
  'nodejs22.x': { runtime: Runtime.NODEJS_22_X, target: 'node22' },
  'nodejs24.x': { runtime: Runtime.NODEJS_24_X, target: 'node24' },
};

/** Properties of a {@link TetherFunction}. */
export interface TetherFunctionProps {
  /** Handler source file, relative to `projectRoot`, e.g. `lambdas/handlers/admin.ts`. It must export `handler`. */
  readonly entry: string;
  /**
   * Directories (relative to the project root) copied into the bundle when they exist, e.g. the
   * built console for the admin function. Missing directories are skipped, so synth works unbuilt.
   */
  readonly assetDirs?: string[];
  /** Repository root that holds `entry`, `package-lock.json` and `tsconfig.json`. */
  readonly projectRoot: string;
  /** Powertools service name, e.g. `tether-admin`; also names the metrics dimension. */
  readonly serviceName: string;
  /** Environment shared by all Tether functions (table, queue, agent image, ...). */
  readonly environment: Record<string, string>;
  /**
   * Powertools log level (`POWERTOOLS_LOG_LEVEL`); with {@link jsonLogging} also Lambda's
   * application log level, so both filters agree.
   * @default 'INFO'
   */
  readonly logLevel?: string;
  /** X-Ray active tracing (Lambda samples 1 request/s plus 5% of the rest, and bills each trace). @default true */
  readonly tracing?: boolean;
  /**
   * Lambda's JSON log format with log-level filtering (advanced logging controls). Lambda then
   * writes its own START/END/REPORT lines only at `systemLogLevel` and below (WARN drops them),
   * and drops application lines below {@link logLevel}; it also sets `AWS_LAMBDA_LOG_LEVEL`, which
   * Powertools obeys, so filtered lines are never even written.
   * @default undefined: Lambda's text format, every platform line kept
   */
  readonly jsonLogging?: { readonly systemLogLevel: SystemLogLevel };
  /** @default 512 (more memory also means more CPU, which shortens cold starts) */
  readonly memorySize?: number;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** Retention of the function's own log group. @default one month */
  readonly logRetention?: RetentionDays;
  /** What happens to the log group when the function is removed from the stack. @default RETAIN */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** Lambda runtime (and esbuild target). @default 'nodejs22.x' */
  readonly runtime?: NodeRuntime;
  /**
   * Reserved concurrency: both the most instances the function may run and the share of the
   * account's concurrency kept for it, so a flood elsewhere cannot starve it and a flood here
   * cannot starve the rest of the account. @default none (the account's unreserved pool)
   */
  readonly reservedConcurrency?: number;
}

/**
 * A NodejsFunction with Tether's house settings in one place: nodejs22.x on arm64, an ESM bundle
 * built by the locally installed esbuild (no Docker), minified with source maps, X-Ray tracing
 * (unless turned off), a log group with retention, and the Powertools environment.
 *
 * @example
 * new TetherFunction(this, 'Admin', {
 *   entry: 'lambdas/handlers/admin.ts', projectRoot, serviceName: 'tether-admin', environment,
 * });
 */
export class TetherFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: TetherFunctionProps) {
    const entry = join(props.projectRoot, props.entry);
    const lockFile = join(props.projectRoot, 'package-lock.json');
    // NodejsFunction's own message does not say which project root was used; ours does.
    if (!existsSync(entry) || !existsSync(lockFile)) {
      throw new ValidationError(`Tether handler sources not found under ${props.projectRoot}`, [
        { path: 'projectRoot', message: `expected ${props.entry} and package-lock.json in ${props.projectRoot}` },
      ]);
    }
    const logLevel = (props.logLevel ?? 'INFO').toUpperCase();
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Our own role instead of the AWSLambdaBasicExecutionRole managed policy, which may write to
    // every log group of the account: this one writes to the function's own group only.
    const role = new Role(scope, `${id}ServiceRole`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    const runtime = RUNTIMES[props.runtime ?? 'nodejs22.x'];
    super(scope, id, {
      role,
      runtime: runtime.runtime,
      ...(props.reservedConcurrency !== undefined && { reservedConcurrentExecutions: props.reservedConcurrency }),
      entry,
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: lockFile,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? FUNCTION_MEMORY_MB,
      timeout: props.timeout ?? Duration.seconds(10),
      // DISABLED leaves out the tracing config and the X-Ray permissions of the role.
      tracing: props.tracing === false ? Tracing.DISABLED : Tracing.ACTIVE,
      logGroup,
      ...(props.jsonLogging && {
        loggingFormat: LoggingFormat.JSON,
        systemLogLevelV2: props.jsonLogging.systemLogLevel,
        applicationLogLevelV2: applicationLogLevel(logLevel),
      }),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: 'Tether',
        POWERTOOLS_LOG_LEVEL: logLevel,
        // Stack traces in the logs should point at the TypeScript sources, not the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: runtime.target,
        // Prefer packages' ESM builds so esbuild can tree-shake them.
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        // The SDK versions are pinned in package.json; bundling them keeps Lambda on exactly the
        // versions the tests ran against instead of whatever the runtime happens to ship.
        bundleAwsSDK: true,
        forceDockerBundling: false,
        ...(props.assetDirs?.length
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  (props.assetDirs ?? []).map(
                    (dir) =>
                      `if [ -d "${inputDir}/${dir}" ]; then mkdir -p "${outputDir}/${dir}" && cp -R "${inputDir}/${dir}/." "${outputDir}/${dir}/"; fi`,
                  ),
              },
            }
          : {}),
      },
    });
    this.logGroupOfFunction = logGroup;
    const logGroupId = Stack.of(this).getLogicalId(logGroup.node.defaultChild as CfnResource);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logGroupId}.Arn>]`,
      reason: "The log group's ARN ends in :* to cover its log streams, which Lambda names itself; the role writes to this one group only.",
    });
  }

  /** The function's own log group (retention and removal policy set by the hub). */
  readonly logGroupOfFunction: LogGroup;
}

/** Lambda's application log level for a Powertools level; the two share these names. */
function applicationLogLevel(level: string): ApplicationLogLevel {
  const known = Object.values(ApplicationLogLevel) as string[];
  if (!known.includes(level)) {
    throw new ValidationError(`log level ${level} is not one of Lambda's application log levels`, [
      { path: 'logLevel', message: `must be one of ${known.join(', ')} with JSON logging, got ${JSON.stringify(level)}` },
    ]);
  }
  return level as ApplicationLogLevel;
}
