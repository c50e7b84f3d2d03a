import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import type { StatsResponse } from '../../src/index.js';
import { freePortRange } from '../helpers/free-port.js';
import { CLI } from '../helpers/processes.js';
import { waitUntil, within } from '../helpers/wait.js';

describe('parley cluster', () => {
  it('starts N instances on consecutive ports with a private Redis, and stops them all on SIGTERM', async () => {
    const base = await freePortRange(2);
    const child = spawn(
      process.execPath,
      [
        CLI,
        'cluster',
        '--instances',
        '2',
        '--port',
        String(base),
        '--host',
        '127.0.0.1',
        '--log-level',
        'warn',
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    try {
      const stats = async (port: number) =>
        (await (await fetch(`http://127.0.0.1:${port}/api/stats`)).json()) as StatsResponse;
      await waitUntil(
        async () => {
          try {
            return (await stats(base + 1)).cluster.totals.nodes === 2;
          } catch {
            return false;
          }
        },
        20_000,
        'two nodes in the cluster',
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${stderr}`);
      });
      const view = await stats(base);
      assert.deepEqual(
        view.cluster.nodes.map((n) => n.node),
        ['node-1', 'node-2'],
      );
      assert.equal(view.self.engine, 'redis');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await within(exited, 20_000, 'cluster to stop'), 0);
  });
});
