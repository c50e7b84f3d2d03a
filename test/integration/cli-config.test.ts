/** `parley serve` with a config file, and start-up refused with every bad value listed (exit status 2). */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from '../helpers/free-port.js';
import { CLI, spawnServer } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';
import { within } from '../helpers/wait.js';

/** The CLI as a child process, its output collected as it comes; killed after the test if still running. */
function launch(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  after(() => child.kill('SIGKILL'));
  const output = { stdout: '', stderr: '' };
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream].on('data', (chunk) => {
      output[stream] += chunk;
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  /** Resolves once `stream` has shown `text` (at most 20 s). */
  const shows = (stream: 'stdout' | 'stderr', text: string, what: string) =>
    within(
      new Promise<void>((resolve) => {
        const check = () => {
          if (output[stream].includes(text)) resolve();
        };
        check();
        child[stream].on('data', check);
      }),
      20_000,
      what,
    );
  return { child, output, exited, shows };
}

/** Runs the CLI to its exit: its status and what it wrote to stderr. */
function run(args: string[], env: Record<string, string> = {}) {
  const cli = launch(args, env);
  return within(cli.exited, 20_000, 'the CLI to exit').then((code) => ({ code, stderr: cli.output.stderr }));
}

/** `parley serve` on loopback at `port`, with more flags. */
const serveOn = (port: number, ...flags: string[]) => [
  'serve',
  '--host',
  '127.0.0.1',
  '--port',
  String(port),
  ...flags,
];

describe('parley serve configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cli-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a config file, with flags winning over it', async () => {
    const file = join(dir, 'parley.json');
    writeFileSync(file, JSON.stringify({ nodeId: 'from-file', maxTextLength: 123, port: 1 }));
    // The helper passes --port (a free one) and --log-format, which must win over the file.
    const server = await spawnServer(['--config', file]);
    assert.equal((await server.stats()).self.node, 'from-file');
    const client = await RawClient.connect(server.wsUrl, { name: 'Reader' });
    assert.deepEqual((client.welcome?.limits as { maxTextLength?: number } | undefined)?.maxTextLength, 123);
    client.close();
  });

  it('refuses to start on bad values, listing each with its source', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ maxTextLength: 'lots', 'redis-url': 'redis://h:1' }));
    const { code, stderr } = await run(['serve', '--port', '99999', '--config', file], {
      PARLEY_LOG_LEVEL: 'loud',
    });
    assert.equal(code, 2);
    assert.match(stderr, /invalid configuration/);
    assert.match(stderr, /--port="99999": must be between 0 and 65535/);
    assert.match(stderr, /PARLEY_LOG_LEVEL="loud": must be one of/);
    assert.match(stderr, /bad\.json: maxTextLength="lots": must be a whole number/);
    assert.match(stderr, /bad\.json: redis-url: unknown option \(write it as "redisUrl"\)/);
  });

  it('refuses a config file it cannot read, and an unknown flag', async () => {
    const missing = await run([
      'serve',
      '--port',
      String(await freePort()),
      '--config',
      join(dir, 'nope.json'),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read config file .*nope\.json/);
    const unknown = await run(['serve', '--colour', 'blue']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /colour/);
  });

  it('suggests the closest flag for a mistyped one', async () => {
    const { code, stderr } = await run(['serve', '--prot', '9000']);
    assert.equal(code, 2);
    assert.equal(
      stderr.trim(),
      'parley: unknown option --prot (did you mean --port?); parley --help lists every option',
    );
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ prot: 9000 }));
    const fromFile = await run(['serve', '--config', file]);
    assert.equal(fromFile.code, 2);
    assert.match(fromFile.stderr, /prot: unknown option \(did you mean "port"\?\)/);
  });

  it('says in one line that the data directory is held by another process, and exits with 2', async () => {
    const data = mkdtempSync(join(dir, 'held-'));
    // A lock naming a process that runs (this one) is another Parley's, as far as the CLI can tell.
    writeFileSync(join(data, 'parley.pid'), `${process.pid}\n`);
    const port = await freePort();
    const { code, stderr } = await run(serveOn(port, '--data-dir', data));
    assert.equal(code, 2);
    assert.equal(
      stderr.trim(),
      `parley: data directory ${data} is in use by process ${process.pid}: one Parley per data directory (stop it, or give this one another --data-dir)`,
    );
  });

  it('says in one line that the data directory cannot be used (a file, a place nothing can be made), and exits with 2', async () => {
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, '');
    const port = await freePort();
    for (const [data, problem] of [
      [file, 'it is a file, not a directory'],
      [join(file, 'data'), 'part of its path is a file, not a directory'],
      // Node's own recursive mkdir never settled here: the start hung instead of refusing.
      ...(process.platform === 'linux' ? [['/proc/parley-data', 'it cannot be created there']] : []),
    ]) {
      const { code, stderr } = await run(serveOn(port, '--data-dir', data as string));
      assert.equal(code, 2);
      assert.equal(
        stderr.trim(),
        `parley: cannot use the data directory ${data}: ${problem} (give another with --data-dir)`,
      );
    }
  });

  it('says in one line that the database cannot be reached, and exits with 2 (serve and migrate)', async () => {
    const nobody = await freePort();
    const url = `postgres://parley@127.0.0.1:${nobody}/parley`;
    const port = await freePort();
    for (const args of [serveOn(port, '--database-url', url), ['migrate', '--database-url', url]]) {
      const { code, stderr } = await run(args);
      assert.equal(code, 2, args[0]);
      assert.equal(
        stderr.trim(),
        `parley: the database cannot be used (connect ECONNREFUSED 127.0.0.1:${nobody}): start it, or check --database-url`,
        args[0],
      );
    }
  });

  it('says in one line that the port is taken, and exits with 2', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    after(() => taken.close());
    const port = (taken.address() as AddressInfo).port;
    const { code, stderr } = await run(serveOn(port, '--store', 'memory'));
    assert.equal(code, 2);
    assert.equal(
      stderr.trim(),
      `parley: port ${port} is already in use on 127.0.0.1: stop what runs there, or choose another port (--port 9000 or PORT=9000)`,
    );
  });

  it('stops on SIGTERM while it starts (waiting for Redis), without ever listening, and exits 0', async () => {
    const [port, nobody] = [await freePort(), await freePort()];
    const cli = launch([
      ...serveOn(port, '--store', 'redis', '--redis-url', `redis://127.0.0.1:${nobody}`),
      ...['--redis-connect-timeout-ms', '60000', '--log-format', 'json'],
    ]);
    // The first failed connection: the start is waiting for Redis (for up to a minute).
    await cli.shows('stdout', 'redis connection error', 'the start waiting for Redis');
    cli.child.kill('SIGTERM');
    assert.equal(await within(cli.exited, 10_000, 'the process to exit'), 0);
    assert.doesNotMatch(cli.output.stdout, /parley listening/);
    assert.doesNotMatch(cli.output.stderr, /is running/);
    assert.match(cli.output.stdout, /"msg":"shut down"/);
  });

  it('prints where the chat and the dashboard are, what keeps messages, and what is open', async () => {
    const port = await freePort();
    const cli = launch(['serve', '--port', String(port), '--store', 'memory']);
    await cli.shows('stderr', 'warning: /api/stats', 'the start banner');
    const { stderr } = cli.output;
    assert.match(stderr, new RegExp(`chat: +http://localhost:${port}/\n`));
    assert.match(stderr, new RegExp(`dashboard: +http://localhost:${port}/dashboard\n`));
    assert.match(stderr, /messages: +memory \(lost when this process exits\)/);
    assert.match(stderr, /instances: +this instance alone/);
    assert.match(stderr, /warning: anonymous mode on 0\.0\.0\.0/);
  });
});
