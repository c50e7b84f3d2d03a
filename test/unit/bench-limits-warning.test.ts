import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { limitsWarning } from '../../bench/load/report.js';
import type { BenchResult } from '../../bench/load/run.js';

const base = {
  connect: { connected: 10, failed: 0, seconds: 1, perSec: 10, errors: [] as string[] },
} as unknown as BenchResult;

describe('the load tool on a server with its abuse limits on', () => {
  it('says nothing when nothing was refused', () => {
    assert.equal(limitsWarning(base), undefined);
  });

  it('names the flags that lift the limits when connections or sends were refused', () => {
    const refused = {
      ...base,
      connect: { ...base.connect, failed: 5, errors: ['closed 4029 before welcome'] },
    };
    const warning = limitsWarning(refused as BenchResult) ?? '';
    assert.match(warning, /refused connections/);
    assert.match(warning, /--max-connections-per-ip 0/);
    assert.match(warning, /--handshakes-per-ip-per-sec 0/);
    const http = { ...base, connect: { ...base.connect, errors: ['Unexpected server response: 429'] } };
    assert.match(limitsWarning(http as BenchResult) ?? '', /refused connections/);
    const sends = { ...base, publish: { rateLimited: 12 } };
    assert.match(
      limitsWarning(sends as unknown as BenchResult) ?? '',
      /refused 12 sends \(per-user message rate\)/,
    );
  });
});
