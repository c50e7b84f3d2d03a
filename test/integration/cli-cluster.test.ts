import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { StatsResponse } from '../../src/index.js';
import { freePortRange } from '../helpers/free-port.js';
import { CLI } from '../helpers/processes.js';
import { RawClient } from '../helpers/raw-client.js';
import { waitUntil, within } from '../helpers/wait.js';

describe('parley cluster', () => {
  it('starts N instances on consecutive ports with a private Redis and PostgreSQL, and stops them all on SIGTERM', async () => {
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
      // They share a database: a room made on one is in the other's directory, as in a deployment.
      const ann = await RawClient.connect(`ws://127.0.0.1:${base}/ws`, { name: 'Ann', user: 'ann' });
      const ben = await RawClient.connect(`ws://127.0.0.1:${base + 1}/ws`, { name: 'Ben', user: 'ben' });
      try {
        assert.equal((await ann.request({ type: 'create_room', name: 'Demo', id: 'demo' })).type, 'room');
        const listed = await ben.request({ type: 'public_rooms' });
        assert.deepEqual(
          (listed.rooms as Array<{ id: string }>).map((room) => room.id),
          ['demo'],
        );
      } finally {
        ann.close();
        ben.close();
      }
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await within(exited, 20_000, 'cluster to stop'), 0);
    const dir = /PostgreSQL at \S+ \(in (\S+), removed on exit\)/.exec(stderr)?.[1];
    assert.ok(dir, `the private PostgreSQL announced: ${stderr}`);
    assert.equal(existsSync(dir), false, 'its data removed');
  });
});
