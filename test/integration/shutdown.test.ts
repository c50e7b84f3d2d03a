import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { CloseCodes } from '../../src/protocol/close-codes.js';
import { CLI, spawnServer } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';
import { within } from '../helpers/wait.js';

describe('graceful shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal}: closes clients with the reconnect code and exits 0`, async () => {
      const { child, port, exited } = await spawnServer();
      const clients = await Promise.all(
        ['A', 'B', 'C'].map((name) => RawClient.connect(`ws://127.0.0.1:${port}/ws`, { name })),
      );
      for (const c of clients) await c.request({ type: 'join', room: 'bye' });
      child.kill(signal);
      const closes = await within(Promise.all(clients.map((c) => c.closed)), 10_000, 'clients to be closed');
      for (const close of closes) assert.equal(close.code, CloseCodes.shutdown);
      assert.equal(await within(exited, 10_000, 'process exit'), 0);
    });
  }

  it('exits 2 with a clear message for a bad configuration', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', 'nope'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await within(new Promise((resolve) => child.once('exit', resolve)), 10_000, 'exit');
    assert.equal(code, 2);
    assert.match(stderr, /--port="nope": must be a whole number/);
  });

  it('prints the help', async () => {
    const child = spawn(process.execPath, [CLI, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    assert.equal(await within(new Promise((resolve) => child.once('exit', resolve)), 10_000, 'exit'), 0);
    assert.match(stdout, /parley serve \[options\]/);
    assert.match(stdout, /--redis-url/);
  });
});
