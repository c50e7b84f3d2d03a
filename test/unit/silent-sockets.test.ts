import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { SilentSockets } from '../../src/http/silent-sockets.js';

/** A socket as SilentSockets sees it: bytes read, destroyed or not. */
function fakeSocket(name: string, cut: string[]): Socket {
  const socket = {
    bytesRead: 0,
    destroyed: false,
    destroy() {
      socket.destroyed = true;
      cut.push(name);
    },
  };
  return socket as unknown as Socket;
}

describe('silent sockets', () => {
  it('cuts the sockets that sent nothing by their deadline, in one queue, and stops checking when it is empty', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    let now = 0;
    const cut: string[] = [];
    const silent = new SilentSockets(1000, 250, () => now);
    const quiet = fakeSocket('quiet', cut);
    const talker = fakeSocket('talker', cut);
    const late = fakeSocket('late', cut);
    const gone = fakeSocket('gone', cut);
    silent.add(quiet);
    silent.add(talker);
    now = 100;
    silent.add(gone);
    now = 600;
    silent.add(late);
    (talker as unknown as { bytesRead: number }).bytesRead = 120;
    (gone as unknown as { destroyed: boolean }).destroyed = true;
    assert.equal(silent.waiting, 4);

    const advance = (ms: number) => {
      now += ms;
      t.mock.timers.tick(ms);
    };
    advance(250); // 850: nobody's deadline yet
    assert.deepEqual(cut, []);
    advance(250); // 1100: quiet and talker (1000) and gone (1100) are due
    assert.deepEqual(cut, ['quiet'], 'a socket that sent bytes or closed is left alone');
    assert.equal(silent.waiting, 1);
    advance(500); // 1600: late (1600) is due
    assert.deepEqual(cut, ['quiet', 'late']);
    assert.equal(silent.waiting, 0);

    // Checking stopped with the queue empty; a new socket starts it again.
    const next = fakeSocket('next', cut);
    silent.add(next);
    advance(1000);
    assert.deepEqual(cut, ['quiet', 'late', 'next']);
    silent.stop();
  });

  it('keeps its queue within twice the sockets waiting through a long storm', (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    let now = 0;
    const silent = new SilentSockets(1000, 250, () => now);
    const cut: string[] = [];
    for (let i = 0; i < 10_000; i += 1) {
      now += 1;
      const socket = fakeSocket(String(i), cut);
      (socket as unknown as { bytesRead: number }).bytesRead = 1;
      silent.add(socket);
      if (i % 250 === 0) t.mock.timers.tick(250);
    }
    const internals = silent as unknown as { sockets: unknown[]; head: number };
    assert.ok(silent.waiting <= 1250, `${silent.waiting} waiting`);
    assert.ok(
      internals.sockets.length <= 2 * Math.max(1024, silent.waiting) + 1,
      `${internals.sockets.length} slots`,
    );
    assert.deepEqual(cut, []);
    silent.stop();
    assert.equal(silent.waiting, 0);
  });
});
