import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { parseDurationSeconds } from '../../shared/duration.js';
import { isDnsLabel } from '../../shared/resources/meta.js';
import { BuiltInRoles } from '../../shared/tenancy.js';
import { TableAccessError, tableAccessError } from '../table-access.js';

/** The longest `--expires-in` accepted: ten years. */
const MAX_EXPIRES_IN_SECONDS = 3650 * 86_400;
const MAX_DESCRIPTION_LENGTH = 256;

/** The flags of `tether admin create-token`, as commander hands them over. */
interface CreateTokenFlags {
  table: string;
  region?: string;
  role: string;
  name?: string;
  replace?: boolean;
  description?: string;
  expiresIn?: string;
  endpoint?: string;
}

/** The checked settings of one `create-token` run. */
interface CreateTokenRequest {
  table: string;
  region?: string;
  endpoint?: string;
  role: string;
  name?: string;
  replace: boolean;
  description?: string;
  expiresInSeconds?: number;
}

/**
 * `tether admin ...`: verbs that work on a deployed hub's AWS resources directly, with the caller's
 * AWS credentials, rather than through the admin API. `create-token` is how the first admin token
 * of a new deployment is made, before anyone can log in.
 */
export function registerAdminCommands(program: Command, ctx: CliContext): void {
  const admin = program
    .command('admin')
    .description("work on a deployed hub's AWS resources directly, with your AWS credentials")
    .addHelpText(
      'after',
      `
These verbs do not call the hub: they use your AWS credentials on the hub's own resources.

Examples:
  tether admin create-token --table TetherHub-HubTable1234 --region eu-west-1`,
    );
  admin
    .command('create-token')
    .description("create an admin token in a deployed hub's DynamoDB table and print it once")
    .requiredOption('--table <name>', "the hub's table: the TableName output of the stack")
    .option('--region <region>', 'AWS region of the table (default: AWS_REGION, AWS_DEFAULT_REGION or your profile)')
    .option('--role <role>', 'built-in role of the token: admin, operator, viewer or auditor (unscoped)', 'admin')
    .option('--name <name>', 'name of the token, as `tether token list` shows it (default: bootstrap-<date>-<time>)')
    .option('--replace', 'rotate: revoke the live token of that name and store the new one')
    .option('--description <text>', 'what the token is for, stored with it (not secret)')
    .option('--expires-in <duration>', 'the token stops working after this long, e.g. 90d, 12h, 1h30m (default: never)')
    .option('--endpoint <url>', 'DynamoDB endpoint URL instead of AWS, e.g. DynamoDB Local')
    .addHelpText(
      'after',
      `
Writes to the table with the standard AWS credential chain (AWS_PROFILE, environment variables,
SSO, instance roles); it needs dynamodb:PutItem on the table. Only the token's SHA-256 is stored.
The token is printed once, alone on stdout, so it can be captured; keep it like a password.
Here exit code 2 also means no AWS region, 3 no AWS credentials or DynamoDB unreachable, 4 no
such table, and 1 that AWS refused the write.

Examples:
  tether admin create-token --table TetherHub-HubTable1234 --region eu-west-1
  tether admin create-token --table "$TABLE" --name bootstrap --replace   # rotate the bootstrap token
  TOKEN="$(tether admin create-token --table "$TABLE" --description 'CI deploys' --expires-in 90d)"
  tether login --hub "$API_URL" --token "$TOKEN"`,
    )
    .action(async (flags: CreateTokenFlags, cmd: Command) => {
      const request = checkCreateToken(flags);
      try {
        const { token, name, expiresAt, region } = await createTokenInTable(request, ctx.io.env, ctx.io.now().getTime());
        ctx.out(`${token}\n`);
        const expiry = expiresAt === undefined ? 'it does not expire' : `it expires at ${new Date(expiresAt).toISOString()}`;
        ctx.io.err(
          `Created the ${request.role} token "${name}" in table ${request.table}${region ? ` (${region})` : ''}; ${expiry}. It is shown only once.\n`,
        );
      } catch (err) {
        const failure = err instanceof TableAccessError ? err : tableAccessError(err, request.table);
        ctx.report(cmd, failure);
        ctx.fail(failure.exitCode);
      }
    });
}

/**
 * Checks every flag before anything is sent, so a typo is exit 2 and nothing is written.
 * @throws UsageError naming the flag.
 */
export function checkCreateToken(flags: CreateTokenFlags): CreateTokenRequest {
  // DynamoDB's own rules for table names.
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(flags.table)) {
    throw new UsageError(`invalid --table "${flags.table}": a DynamoDB table name has 3 to 255 letters, digits, '_', '-' or '.'`);
  }
  if (flags.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(flags.region)) {
    throw new UsageError(`invalid --region "${flags.region}": expected an AWS region such as us-east-1`);
  }
  if (!(BuiltInRoles as readonly string[]).includes(flags.role)) {
    throw new UsageError(
      `invalid --role "${flags.role}": expected one of ${BuiltInRoles.join(', ')} (custom roles and cluster sets: tether token create)`,
    );
  }
  if (flags.name !== undefined && !isDnsLabel(flags.name)) {
    throw new UsageError(`invalid --name "${flags.name}": use a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)`);
  }
  if (
    flags.description !== undefined &&
    (flags.description.trim() === '' || flags.description.length > MAX_DESCRIPTION_LENGTH || /[\p{Cc}]/u.test(flags.description))
  ) {
    throw new UsageError(`invalid --description: expected 1 to ${MAX_DESCRIPTION_LENGTH} characters on one line`);
  }
  let expiresInSeconds: number | undefined;
  if (flags.expiresIn !== undefined) {
    expiresInSeconds = parseDurationSeconds(flags.expiresIn);
    if (expiresInSeconds === undefined || expiresInSeconds <= 0 || expiresInSeconds > MAX_EXPIRES_IN_SECONDS) {
      throw new UsageError(`invalid --expires-in "${flags.expiresIn}": expected a duration like 90d, 12h or 1h30m, at most 3650d`);
    }
  }
  if (flags.endpoint !== undefined && !/^https?:\/\/[^/\s]+/.test(flags.endpoint)) {
    throw new UsageError(`invalid --endpoint "${flags.endpoint}": expected an http(s) URL such as http://127.0.0.1:8000`);
  }
  return {
    table: flags.table,
    role: flags.role,
    replace: flags.replace === true,
    ...(flags.name !== undefined && { name: flags.name }),
    ...(flags.region !== undefined && { region: flags.region }),
    ...(flags.endpoint !== undefined && { endpoint: flags.endpoint }),
    ...(flags.description !== undefined && { description: flags.description.trim() }),
    ...(expiresInSeconds !== undefined && { expiresInSeconds }),
  };
}

/**
 * Mints a token with the local hub's generator and stores its hash through the DynamoDB
 * AdminTokenStore. The SDK and the adapters load only here, so other commands start no slower.
 */
async function createTokenInTable(
  request: CreateTokenRequest,
  env: Record<string, string | undefined>,
  now: number,
): Promise<{ token: string; name: string; expiresAt?: number; region?: string }> {
  const [{ DynamoDBClient }, { DynamoAdminTokenStore }, { newAdminToken, registerAdminToken }, { cryptoIds }, { clockAt }] =
    await Promise.all([
      import('@aws-sdk/client-dynamodb'),
      import('../../lambdas/adapters/dynamodb/admin-token-store.js'),
      import('../../lambdas/local/admin-token.js'),
      import('../../lambdas/ports/ids.js'),
      import('../../lambdas/ports/clock.js'),
    ]);
  const region = request.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  const client = new DynamoDBClient({ ...(region && { region }), ...(request.endpoint && { endpoint: request.endpoint }), maxAttempts: 3 });
  try {
    const token = newAdminToken(cryptoIds);
    const expiresAt = request.expiresInSeconds === undefined ? undefined : now + request.expiresInSeconds * 1000;
    // Unique per second unless named: a second admin token never revokes the first by accident.
    const name =
      request.name ?? `bootstrap-${new Date(now).toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;
    await registerAdminToken(
      { adminTokens: new DynamoAdminTokenStore(client, request.table), clock: clockAt(() => now) },
      token,
      {
        name,
        role: request.role,
        ...(request.description !== undefined && { description: request.description }),
        ...(expiresAt !== undefined && { expiresAt }),
      },
      { replace: request.replace },
    );
    return { token, name, expiresAt, region };
  } finally {
    client.destroy();
  }
}
