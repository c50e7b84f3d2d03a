/**
 * The embedded store (PGlite in `--data-dir`) across a kill -9: every acknowledged message is back after a restart
 * on the same directory, with its epoch and offsets, retries stay duplicates, and the lock the dead process left
 * is taken over. (PGlite does not fsync: this is what survives the process, not a power cut; docs/storage.md.)
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { spawnServer } from '../helpers/processes.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';
import { within } from '../helpers/wait.js';

/** The resident memory of a process (Linux). */
function residentBytes(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kb * 1024;
}

describe('embedded store', () => {
  it('starts on a new data directory without keeping what creating the database took', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-embedded-new-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const server = await spawnServer(['--store', 'embedded', '--data-dir', dir]);
    // PostgreSQL's initdb grows PGlite's WebAssembly memory to ~700 MB, which stayed with the server (~850 MB
    // resident at the first start, ~350 MB later); created by a process of its own, a first start is ~300 MB.
    const resident = residentBytes(server.child.pid as number);
    assert.ok(
      resident < 500 * 1024 * 1024,
      `${Math.round(resident / 1048576)} MB resident after a first start`,
    );
  });

  it('keeps every acknowledged message across a kill -9 of the process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'parley-embedded-kill-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const args = ['--store', 'embedded', '--data-dir', dir];
    const first = await spawnServer(args);
    const client = await RawClient.connect(first.wsUrl, { name: 'Keeper', user: 'keeper' });
    await client.request({ type: 'join', room: 'kept' });
    // Sent at once, so that they share commits; each answer comes after its commit.
    const sent: Frame[] = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map((i) =>
        client.request({ type: 'send', room: 'kept', text: `m${i}`, cid: `c${i}` }),
      ),
    );
    assert.deepEqual(
      sent.map((s) => s.offset),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    const epoch = sent[0]?.epoch as string;
    first.child.kill('SIGKILL');
    await within(first.exited, 10_000, 'the server to die');
    assert.ok(existsSync(join(dir, 'parley.pid')), 'the dead process left its lock');

    const second = await spawnServer(args, { port: first.port });
    const back = await RawClient.connect(second.wsUrl, { name: 'Keeper', user: 'keeper' });
    after(() => back.close());
    const joined = await back.request({ type: 'join', room: 'kept', since: { offset: 2, epoch } });
    assert.equal(joined.recovered, true, 'the epoch lives in the data directory');
    assert.deepEqual(
      (joined.messages as Frame[]).map((m) => m.text),
      ['m3', 'm4', 'm5', 'm6', 'm7', 'm8'],
    );
    const retry = await back.request({ type: 'send', room: 'kept', text: 'm8', cid: 'c8' });
    assert.deepEqual([retry.duplicate, retry.offset], [true, 8]);
    const next = await back.request({ type: 'send', room: 'kept', text: 'm9', cid: 'c9' });
    assert.deepEqual([next.offset, next.epoch], [9, epoch]);
  });
});
