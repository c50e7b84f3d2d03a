/** The load tool against three instances and one Redis: 3,000 clients, every delivery checked. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import type { BenchResult } from '../../bench/load/run.js';
import { CLI, type ServerProcess, startInstanceGroup } from '../helpers/processes.js';
import { within } from '../helpers/wait.js';

describe('parley bench smoke run', async () => {
  const { nodes } = await startInstanceGroup(3, 'b', ['--log-level', 'warn']);

  it('drives 3,000 clients over 3 instances with zero missing or duplicate deliveries', async () => {
    const urls = nodes.map((n: ServerProcess) => n.wsUrl).join(',');
    const pids = nodes.flatMap((n: ServerProcess) => ['--server-pid', String(n.child.pid)]);
    const child = spawn(
      process.execPath,
      [
        CLI,
        'bench',
        '--scenario',
        'cross-instance',
        '--clients',
        '3000',
        '--rooms',
        '30',
        '--rate',
        '300',
        '--duration',
        '3',
        '--url',
        urls,
        ...pids,
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await within(new Promise((resolve) => child.once('exit', resolve)), 120_000, 'the load run');
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout) as BenchResult;
    assert.equal(result.connect.connected, 3000);
    assert.equal(result.connect.failed, 0);
    const publish = result.publish;
    assert.ok(publish);
    assert.equal(publish.publishErrors, 0);
    assert.ok(publish.sent >= 850, `sent ${publish.sent}`);
    // 30 rooms of 100 members: every message reaches its room's 100 members.
    assert.equal(publish.expectedDeliveries, publish.sent * 100);
    assert.equal(publish.deliveries, publish.expectedDeliveries);
    assert.equal(publish.deliveriesByStayed, publish.deliveries, 'no churn: every client stayed');
    assert.equal(publish.missing, 0);
    assert.equal(publish.duplicates, 0);
    assert.ok(publish.latencyMs.count === publish.deliveries && publish.latencyMs.p99 > 0);
    assert.ok(result.serverMemory && result.serverMemory.bytesPerConnection > 0);
    console.log(
      `# bench smoke: ${publish.deliveries} deliveries, p50 ${publish.latencyMs.p50} ms, p99 ${publish.latencyMs.p99} ms, ` +
        `${Math.round((result.serverMemory?.bytesPerConnection ?? 0) / 1024)} KiB/connection, connect ${result.connect.perSec}/s`,
    );
  });
});
