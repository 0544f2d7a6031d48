import { spawnSync } from 'node:child_process';
import type { Command } from 'commander';
import { CliContext } from '../../../cli/context.js';
import { buildProgram, run } from '../../../cli/main.js';
import { captureIO } from '../../integration/cli/support/capture-io.js';

function allCommands(cmd: Command, path: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [[...path, c.name()], ...allCommands(c, [...path, c.name()])]);
}

async function tether(...args: string[]) {
  const io = captureIO({ env: { TETHER_CONFIG: '/nonexistent/tether.json' } });
  const code = await run(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('help', () => {
  const program = buildProgram(new CliContext(captureIO(), 'test'));
  // Every command and subcommand, at any depth.
  const paths = allCommands(program);

  test('the walk reaches every level of the tree', () => {
    expect(paths.map((p) => p.join(' '))).toEqual(
      expect.arrayContaining(['get', 'cluster import', 'rollout status', 'rollout override-window', 'agent', 'sim', 'completion']),
    );
    expect(paths.map((p) => p.join(' '))).toContain('dev');
  });

  test.each(paths.map((p) => [p.join(' ')]))('"tether %s --help" has examples and the exit codes', async (path) => {
    const r = await tether(...path.split(' '), '--help');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Examples:\n  tether');
    expect(r.out).toContain('Exit codes:\n  0  ok\n  1  ');
    expect(r.out).toContain('5  conflict');
    expect(r.out).toContain('--hub <url>');
  });

  test('"tether --help" lists the commands and global flags', async () => {
    const r = await tether('--help');
    expect(r.code).toBe(0);
    for (const word of [
      'login',
      'get',
      'describe',
      'delete',
      'apply',
      'cluster',
      'dev',
      'completion',
      '--token <token>',
      '-v, --verbose',
      '--no-color',
    ]) {
      expect(r.out).toContain(word);
    }
  });

  test('"tether --version" prints the version; "tether" alone is a usage error', async () => {
    expect(await tether('--version')).toMatchObject({ code: 0, out: expect.stringMatching(/^tether \d+\.\d+\.\d+/) });
    const bare = await tether();
    expect(bare.code).toBe(2);
    expect(bare.err).toContain('Usage: tether');
  });
});

describe('bash completion', () => {
  let script = '';
  beforeAll(async () => {
    const r = await tether('completion', 'bash');
    expect(r.code).toBe(0);
    script = r.out;
  });

  /** Runs the script in a real bash and returns what it offers for the last word of `line`. */
  function complete(line: string): string[] {
    const words = line.split(' ');
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const probe = `${script}\nCOMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _tether; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const r = spawnSync('bash', ['--norc', '--noprofile', '-c', probe], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  test('commands, subcommands and kinds', () => {
    expect(complete('tether ')).toEqual([
      'admin',
      'agent',
      'annotate',
      'apply',
      'audit',
      'auth',
      'cluster',
      'completion',
      'compliance',
      'delete',
      'describe',
      'dev',
      'diff',
      'edit',
      'explain',
      'get',
      'help',
      'label',
      'login',
      'logout',
      'rollout',
      'sim',
      'token',
    ]);
    expect(complete('tether de')).toEqual(['delete', 'describe', 'dev']);
    expect(complete('tether cluster ')).toEqual(['accept', 'create', 'deny', 'detach', 'import', 'upgrade']);
    expect(complete('tether get cl')).toEqual([
      'cl',
      'cluster',
      'clusterinventoryexport',
      'clusterinventoryexports',
      'clusters',
      'clusterset',
      'clustersets',
    ]);
    expect(complete('tether get ev')).toEqual(['events']);
    expect(complete('tether describe ev')).toEqual([]);
    expect(complete('tether --hub http://h get c')).toEqual([
      'cie',
      'cl',
      'cluster',
      'clusterinventoryexport',
      'clusterinventoryexports',
      'clusters',
      'clusterset',
      'clustersets',
      'cs',
    ]);
    // After the kind comes a name, which is not completed from a static list (the hub is asked; here there is no tether on PATH).
    expect(complete('tether get clusters ')).toEqual([]);
    expect(complete('tether completion ')).toEqual(['bash', 'fish', 'zsh']);
  });

  test('flags of the command plus the global ones, and flag values', () => {
    const flags = complete('tether get clusters --');
    expect(flags).toEqual(
      expect.arrayContaining(['--selector', '--output', '--limit', '--cluster', '--hub', '--token', '--verbose', '--no-color', '--help']),
    );
    expect(flags).not.toContain('--dry-run');
    expect(complete('tether apply --d')).toEqual(['--dry-run']);
    expect(complete('tether cluster import x --')).toEqual(
      expect.arrayContaining(['--auto-accept', '--ttl', '--manifest-only', '--filename']),
    );
    expect(complete('tether admin ')).toEqual(['create-token']);
    expect(complete('tether admin create-token --')).toEqual(
      expect.arrayContaining(['--table', '--region', '--role', '--description', '--expires-in', '--endpoint']),
    );
    expect(complete('tether get clusters -o ')).toEqual(['json', 'jsonpath=', 'name', 'table', 'wide', 'yaml']);
    expect(complete('tether cluster accept x -o ')).toEqual(['json', 'name', 'yaml']);
    expect(complete('tether compliance ')).toEqual(['history', 'report']);
    expect(complete('tether compliance history --compliance ')).toEqual(['Compliant', 'NonCompliant', 'Pending', 'Unknown']);
    expect(complete('tether compliance history -o ')).toEqual(['json', 'table', 'yaml']);
    expect(complete('tether compliance report -o ')).toEqual(['csv', 'html', 'json', 'openreports']);
    expect(complete('tether compliance report --')).toEqual(
      expect.arrayContaining(['--standard', '--control', '--cluster', '--policy', '--since', '--output-file']),
    );
  });

  test('zsh gets the same function through bashcompinit', async () => {
    const r = await tether('completion', 'zsh');
    expect(r.out).toContain('autoload -U +X bashcompinit && bashcompinit\n');
    expect(r.out).toContain(script.split('\n').slice(1).join('\n'));
    const bad = await tether('completion', 'powershell');
    expect(bad).toMatchObject({ code: 2, err: 'error: unsupported shell "powershell"; use bash, zsh or fish\n' });
  });
});
