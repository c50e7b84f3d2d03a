/**
 * When a committed batch's senders are answered: once its publication settled (so that a sender's `sent` and its own
 * copy of the message leave together), but never later than `answerWaitMs` after the commit, and at once without it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage, MessageDraft } from '../../src/engine/types.js';
import { DatabaseLog } from '../../src/log/database-log.js';
import type { SqlDatabase } from '../../src/store/sql.js';
import { ManualClock } from '../../src/util/clock.js';

/** A database that commits every append statement at once, at offsets 1, 2, … of one epoch. */
function committingDatabase(): SqlDatabase {
  let offset = 0;
  const query = async (_text: string, params?: unknown[]) => {
    const [ns, , ids, , names, texts, stamps] = params as [
      number[],
      string[],
      string[],
      string[],
      string[],
      string[],
      number[],
    ];
    const first = offset;
    offset += ns.length;
    const rows = ns.map((n, i) => ({
      n,
      offset: String(first + i + 1),
      epoch: 'e1',
      duplicate: false,
      id: ids[n],
      sender_name: names[n],
      text: texts[n],
      ts: String(stamps[n]),
      event: null,
      reply_to: null,
      mentions: null,
    }));
    return { rows } as never;
  };
  return {
    query,
    script: async () => {},
    exclusive: async () => {
      throw new Error('not used');
    },
    transaction: async () => {
      throw new Error('not used');
    },
    close: async () => {},
  } as unknown as SqlDatabase;
}

const draft = (cid: string): MessageDraft => ({
  room: 'lobby',
  id: `id-${cid}`,
  from: { id: 'u1', name: 'Ann' },
  text: 'hello',
  ts: 1,
  cid,
});

/** Lets every pending promise callback run (the fake database answers without I/O). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function logWith(answerWaitMs: number | undefined, publish: (messages: ChatMessage[]) => Promise<void>) {
  const clock = new ManualClock();
  const log = new DatabaseLog(
    committingDatabase(),
    {
      ids: { messageId: () => 'm', sessionId: () => 's', epoch: () => 'e1' } as never,
      timers: clock,
      batch: { max: 10, fillTarget: 1 },
      batchMaxWaitMs: 0,
      ...(answerWaitMs !== undefined ? { answerWaitMs } : {}),
    },
    publish,
  );
  return { clock, log };
}

describe('database log: answers after publication', () => {
  it('answers once the publication settled, not before', async () => {
    let published!: () => void;
    const { clock, log } = logWith(10, () => new Promise<void>((resolve) => (published = resolve)));
    let answered = false;
    const appended = log.append(draft('a')).then((result) => {
      answered = true;
      return result;
    });
    clock.advance(0);
    await settle();
    assert.equal(typeof published, 'function', 'committed and handed to the publisher');
    assert.equal(answered, false, 'the answer waits for the publication');
    published();
    const result = await appended;
    assert.equal(result.message.offset, 1);
    assert.equal(result.duplicate, false);
  });

  it('answers after answerWaitMs when the publication does not settle (a frozen Redis)', async () => {
    let calls = 0;
    const { clock, log } = logWith(10, () => {
      calls += 1;
      return new Promise<void>(() => {});
    });
    let answered = false;
    const appended = log.append(draft('b')).then(() => {
      answered = true;
    });
    clock.advance(0);
    await settle();
    assert.equal(calls, 1);
    clock.advance(9);
    await settle();
    assert.equal(answered, false, 'not before the bound');
    clock.advance(1);
    await appended;
    assert.equal(answered, true, 'answered at the bound');
  });

  it('answers when the publication fails, and at once without a wait', async () => {
    const failing = logWith(10, () => Promise.reject(new Error('redis down')));
    const first = failing.log.append(draft('c'));
    failing.clock.advance(0);
    assert.equal(
      (await first).message.offset,
      1,
      'a failed publication still answers (the message is stored)',
    );

    let published = false;
    const immediate = logWith(0, () => new Promise<void>(() => {}).finally(() => (published = true)));
    const second = immediate.log.append(draft('d'));
    immediate.clock.advance(0);
    assert.equal(
      (await second).message.offset,
      1,
      'answered without waiting for a publication that never ends',
    );
    assert.equal(published, false);
  });

  it('does not hold up the next batch while answers wait', async () => {
    const batches: number[][] = [];
    const { clock, log } = logWith(1000, (messages) => {
      batches.push(messages.map((m) => m.offset));
      return new Promise<void>(() => {});
    });
    const first = log.append(draft('e'));
    clock.advance(0);
    await settle();
    const second = log.append(draft('f'));
    clock.advance(0);
    await settle();
    assert.deepEqual(
      batches,
      [[1], [2]],
      'the second batch committed while the first waited for its publication',
    );
    clock.advance(1000);
    await Promise.all([first, second]);
  });
});
