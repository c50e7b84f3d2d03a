/**
 * Conformance suite of MessageSearch on the stores that keep messages in full (memory, the database alone and
 * behind a Redis window): what matches (every word the start of one of the message's words, whatever the case),
 * what never does (system events, actions' entries, deleted messages, other rooms, an edit's old words), the
 * filters (sender, files, links, times) with words and alone, the order of results and paging through them.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ChatMessage, MessageAction, UserInfo } from '../../src/engine/types.js';
import {
  type MessageSearch,
  type SearchCursor,
  type SearchQuery,
  searchWords,
} from '../../src/log/message-search.js';
import { draft, type EngineFixture, type FixtureFactory } from './fixture.js';

const alice: UserInfo = { id: 'alice', name: 'Alice' };

/** The texts a search finds, in the order found. */
async function texts(
  search: MessageSearch,
  query: Omit<Partial<SearchQuery>, 'words'> & { words: string },
): Promise<string[]> {
  const found = await search.search({
    rooms: query.rooms ?? [],
    words: searchWords(query.words),
    limit: query.limit ?? 50,
    ...(query.before ? { before: query.before } : {}),
  });
  return found.messages.map((m) => m.text);
}

/**
 * Every message a search finds, `limit` at a time, following the contract: on from a full page's last message, or
 * from where the store stopped looking; done at a page that is not full and says nothing more.
 */
export async function searchAll(
  search: MessageSearch,
  query: Omit<SearchQuery, 'before'>,
): Promise<ChatMessage[][]> {
  const pages: ChatMessage[][] = [];
  let before: SearchCursor | undefined;
  // Bounded: a cursor that did not move on would repeat a page, not loop until the test's timeout.
  for (let asked = 0; asked < 50; asked += 1) {
    const { messages, stoppedAt } = await search.search({ ...query, ...(before ? { before } : {}) });
    pages.push(messages);
    const last = messages.at(-1);
    if (last && messages.length >= query.limit)
      before = { ts: last.ts, room: last.room, offset: last.offset };
    else if (stoppedAt) before = stoppedAt;
    else return pages;
  }
  return pages;
}

export function messageSearchSuite(name: string, factory: FixtureFactory): void {
  describe(`MessageSearch conformance: ${name}`, () => {
    const open: EngineFixture[] = [];
    const make = async () => {
      const fixture = await factory.create({ historySize: 100, presenceTtlMs: 5000 });
      open.push(fixture);
      assert.ok(fixture.search, 'the store searches');
      return { log: fixture.log, search: fixture.search };
    };
    after(async () => {
      await Promise.all(open.map((f) => f.close()));
    });

    it('finds every word as the start of a word, whatever the case, newest first, in the rooms asked', async () => {
      const { log, search } = await make();
      const rooms = ['s-one', 's-two'];
      await log.append(draft('s-one', 'Deploy on Friday', alice));
      await log.append(draft('s-two', 'the deployment went fine', alice));
      await log.append(draft('s-one', 'no release today', alice));
      await log.append(draft('s-elsewhere', 'deploy elsewhere', alice));
      await log.append({
        ...draft('s-one', 'Alice deployed the room', alice),
        event: { type: 'kicked' as const },
      });
      await log.append(draft('s-two', 'café au lait, 日本語のテキスト and x2', alice));
      assert.deepEqual(await texts(search, { rooms, words: 'DEPLOY' }), [
        'the deployment went fine',
        'Deploy on Friday',
      ]);
      assert.deepEqual(await texts(search, { rooms, words: 'deploy fri' }), ['Deploy on Friday']);
      assert.deepEqual(await texts(search, { rooms, words: 'ploy' }), [], 'a word matches from its start');
      assert.deepEqual(await texts(search, { rooms, words: 'deploy tuesday' }), [], 'every word');
      assert.deepEqual(await texts(search, { rooms: ['s-two'], words: 'deploy' }), [
        'the deployment went fine',
      ]);
      assert.deepEqual(await texts(search, { rooms, words: 'caf' }), [
        'café au lait, 日本語のテキスト and x2',
      ]);
      assert.deepEqual(await texts(search, { rooms, words: '日本' }), [
        'café au lait, 日本語のテキスト and x2',
      ]);
      assert.deepEqual(await texts(search, { rooms, words: 'x2' }), [
        'café au lait, 日本語のテキスト and x2',
      ]);
      assert.deepEqual(await texts(search, { rooms: [], words: 'deploy' }), [], 'no rooms, nothing');
      assert.deepEqual(await texts(search, { rooms: ['s-nowhere'], words: 'deploy' }), []);
    });

    it('searches messages as they are now: an edit replaces their words, a deleted one is gone', async () => {
      const { log, search } = await make();
      const rooms = ['s-edits'];
      const first = (await log.append(draft('s-edits', 'meet at noon', alice))).message;
      const second = (await log.append(draft('s-edits', 'lunch at noon', alice))).message;
      /** Alice's action on a message of the room. */
      const act = (id: string, action: MessageAction, text?: string) =>
        log.act({
          room: 's-edits',
          id,
          from: alice,
          ts: 90_000,
          action,
          maxReactions: 20,
          ...(text ? { text } : {}),
        });
      await act('edit-1', { type: 'edit', target: first.offset }, 'meet at three');
      assert.deepEqual(
        await texts(search, { rooms, words: 'noon' }),
        ['lunch at noon'],
        'the old words are gone',
      );
      assert.deepEqual(
        await texts(search, { rooms, words: 'three' }),
        ['meet at three'],
        "the message, not the edit's entry",
      );
      await act('delete-1', { type: 'delete', target: second.offset });
      assert.deepEqual(await texts(search, { rooms, words: 'lunch' }), []);
      assert.deepEqual(await texts(search, { rooms, words: 'at' }), ['meet at three']);
    });

    it('narrows by sender, files, links and times, with words or alone', async () => {
      const { log, search } = await make();
      const rooms = ['s-filter-a', 's-filter-b'];
      const bob: UserInfo = { id: 'bob', name: 'Bob' };
      const file = { id: 'f1', name: 'plan.pdf', size: 10, type: 'application/pdf' };
      const at = (ts: number, room: string, text: string, from: UserInfo, extra: object = {}) =>
        log.append({ ...draft(room, text, from), ts, ...extra });
      await at(20_001, 's-filter-a', 'plan draft at HTTPS://example.com/plan', alice);
      await at(20_002, 's-filter-b', 'plan attached', bob, { files: [file] });
      await at(20_003, 's-filter-a', '', alice, { files: [file] });
      await at(20_004, 's-filter-b', 'no plan yet, see http://intranet/x', bob);
      await at(20_005, 's-filter-a', 'lunch?', bob);
      await log.append({
        ...draft('s-filter-a', 'Bob left', bob),
        ts: 20_006,
        event: { type: 'left' as const },
      });
      /** The texts found for the words and the filter, or their files' names for a message without text. */
      const found = async (words: string, filter: Partial<SearchQuery> = {}) =>
        (await search.search({ rooms, words: searchWords(words), limit: 50, ...filter })).messages.map(
          (m) => m.text || `[${m.files?.map((f) => f.name).join()}]`,
        );
      assert.deepEqual(await found('plan', { from: 'bob' }), [
        'no plan yet, see http://intranet/x',
        'plan attached',
      ]);
      assert.deepEqual(
        await found('', { from: 'bob' }),
        ['lunch?', 'no plan yet, see http://intranet/x', 'plan attached'],
        'a sender alone; not the system event in their name',
      );
      assert.deepEqual(
        await found('', { has: 'file' }),
        ['[plan.pdf]', 'plan attached'],
        'files, text or none',
      );
      assert.deepEqual(
        await found('', { has: 'link' }),
        ['no plan yet, see http://intranet/x', 'plan draft at HTTPS://example.com/plan'],
        'a link whatever its case',
      );
      assert.deepEqual(await found('plan', { has: 'file', from: 'alice' }), [], 'every filter');
      assert.deepEqual(
        await found('', { since: 20_002, until: 20_004 }),
        ['[plan.pdf]', 'plan attached'],
        'since included, until not',
      );
      assert.deepEqual(await found('plan', { until: 20_002 }), ['plan draft at HTTPS://example.com/plan']);
      assert.deepEqual(await found('', { from: 'nobody' }), []);
      const pages = await searchAll(search, { rooms, words: [], from: 'bob', limit: 1 });
      assert.deepEqual(
        pages.flat().map((m) => m.text),
        ['lunch?', 'no plan yet, see http://intranet/x', 'plan attached'],
        'pages of a filter alone',
      );
    });

    it('pages newest first by time, then room, then offset, from where the last page ended', async () => {
      const { log, search } = await make();
      const rooms = ['s-pa', 's-pb'];
      // Two rooms with messages at the same times: the order between them is the room's, byte-wise.
      for (let i = 1; i <= 3; i += 1) {
        for (const room of rooms)
          await log.append({ ...draft(room, `note ${room} ${i}`, alice), ts: 10_000 + i });
      }
      await log.append({ ...draft('s-pa', 'note s-pa 4', alice), ts: 10_003 });
      const all = (await search.search({ rooms, words: ['note'], limit: 50 })).messages;
      assert.deepEqual(
        all.map((m) => m.text),
        [
          'note s-pb 3',
          'note s-pa 4',
          'note s-pa 3',
          'note s-pb 2',
          'note s-pa 2',
          'note s-pb 1',
          'note s-pa 1',
        ],
      );
      const pages = (await searchAll(search, { rooms, words: ['note'], limit: 3 }))
        .filter((page) => page.length > 0)
        .map((page) => page.map((m) => m.text));
      assert.deepEqual(
        pages.flat(),
        all.map((m) => m.text),
        'the pages are the whole list, in order, once',
      );
      assert.equal(pages.length, 3);
      const found = all[0] as ChatMessage;
      assert.deepEqual(
        [found.room, found.from, typeof found.epoch],
        ['s-pb', alice, 'string'],
        'whole messages',
      );
    });
  });
}
