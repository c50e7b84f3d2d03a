import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CompareResults, renderCompare } from '../../bench/compare-report.js';
import { SYSTEM } from '../../bench/systems.js';

type Crowd = CompareResults['crowds'][number];

/** Results of three rounds of the crowd line only, bare ws and Parley with the given figures. */
function results(bare: Partial<Crowd>, parley: Partial<Crowd>): CompareResults {
  const crowds: Crowd[] = [1, 2, 3].flatMap((round) => [
    {
      system: SYSTEM.bareWs,
      round,
      connected: 19_000,
      connectsPerSec: 4000,
      bytesPerConnection: 5000,
      ...bare,
    },
    {
      system: SYSTEM.parley,
      round,
      connected: 19_000,
      connectsPerSec: 3200,
      bytesPerConnection: 6000,
      ...parley,
    },
  ]);
  return {
    date: '2026-12-04',
    redisVersion: '7.0.15',
    clients: 5000,
    deliveryRates: [],
    fixedSeconds: 10,
    crowd: { clients: 19_000, roomSize: 190 },
    stepSeconds: 5,
    pinned: { server: '0', load: '1' },
    cpu: [],
    crowds,
    max: [],
  };
}

/** The connect + join row of the Targets table. */
function connectRow(page: string): string {
  const row = page.split('\n').find((line) => line.startsWith('| connect + join rate'));
  assert.ok(row, 'the connect + join target row');
  return row;
}

describe('benchmark report: the connect + join target', () => {
  it('is met only when the server CPU per connection meets it too, not the shared-core rate alone', () => {
    // Rate 0.80x, but Parley's server spends 1.5x bare ws's CPU per connection: a server-bound storm reads 0.67x.
    const row = connectRow(
      renderCompare(results({ serverUsPerConnection: 180 }, { serverUsPerConnection: 270 })),
    );
    assert.match(row, /0\.80x \(rate/);
    assert.match(row, /0\.67x by server CPU per connection/);
    assert.match(row, /\*\*not met\*\*/);
  });

  it('is met when both the rate and the server CPU per connection meet it', () => {
    const row = connectRow(
      renderCompare(results({ serverUsPerConnection: 180 }, { serverUsPerConnection: 220 })),
    );
    assert.match(row, /0\.82x by server CPU per connection \| met \|$/);
  });

  it('is inconclusive for runs that did not record the server CPU', () => {
    const row = connectRow(renderCompare(results({}, {})));
    assert.match(row, /\*\*inconclusive\*\*/);
  });

  it('states the server CPU up to the settle after the last join beside the storm span, not as the target', () => {
    const page = renderCompare(
      results(
        { serverUsPerConnection: 180, serverUsPerConnectionSettled: 190 },
        { serverUsPerConnection: 220, serverUsPerConnectionSettled: 285 },
      ),
    );
    const parley = page
      .split('\n')
      .find((line) => line.startsWith(`| ${SYSTEM.parley} |`) && line.includes('285'));
    assert.ok(parley, 'the crowd row of Parley with its settled figure');
    assert.match(parley, /\| 220 \(220 \/ 220 \/ 220\) \| 1\.22x \| 285 \(285 \/ 285 \/ 285\) \| 1\.50x \|/);
    // The target still reads the storm's span: 180 / 220.
    assert.match(connectRow(page), /0\.82x by server CPU per connection \| met \|$/);
  });

  it('shows n/a for the settled figure of runs that did not record it', () => {
    const page = renderCompare(results({ serverUsPerConnection: 180 }, { serverUsPerConnection: 220 }));
    const parley = page
      .split('\n')
      .find((line) => line.startsWith(`| ${SYSTEM.parley} |`) && line.includes('220 ('));
    assert.ok(parley, 'the crowd row of Parley');
    assert.match(parley, /\| 1\.22x \| n\/a \| n\/a \|/);
  });
});
