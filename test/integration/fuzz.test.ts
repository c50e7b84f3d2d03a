/**
 * Property-based fuzzing of a live server: thousands of random and mutated frames from one connection. The server
 * never crashes; every frame is answered by a documented reply or error, or by a documented close; the other
 * clients see exactly the acknowledged messages, in order.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { ErrorCodes } from '../../src/protocol/error-codes.js';
import { startNode } from '../helpers/nodes.js';
import { type Frame, RawClient } from '../helpers/raw-client.js';
import { waitUntil, within } from '../helpers/wait.js';

const ROOM = 'fuzz-room';
const RUNS = Number(process.env.PARLEY_FUZZ_RUNS ?? 3000);
const SERVER_FRAMES = new Set([
  'joined',
  'left',
  'sent',
  'acted',
  'settings',
  'history',
  'presence_state',
  'message',
  'presence_diff',
  'typing',
  'position',
  'refreshed',
  'pong',
  'error',
  'rooms',
  'room',
  'public_rooms',
  'members',
  'bans',
  'invitations',
  'sent_invitations',
  'notifications',
  'favorite',
  'hide',
  'pins',
  'webhooks',
  'webhook',
  'invite_link',
  'invite_links',
  'saved',
  'threads',
  'thread_counts',
  'thread_state',
  'upload_ready',
  'uploaded',
  'status',
  'statuses',
  'link_preview',
  'search',
  'edits',
  'scheduled',
  'scheduled_messages',
  'schedule_changed',
  'reminder',
  'drafts',
  'draft',
  'done',
  'room_added',
  'room_removed',
  'invited',
  'invitation_removed',
  'activity',
  'preview',
]);
/** Closes a fuzzing client may legitimately get: frame too big (1009), invalid UTF-8 (1007). */
const DOCUMENTED_CLOSES = new Set([1007, 1009]);

const VALID_COMMANDS: Array<Record<string, unknown>> = [
  { type: 'join', ref: 1, room: ROOM },
  { type: 'join', ref: 1, room: 'other', since: { offset: 3, epoch: 'abc' } },
  { type: 'leave', ref: 2, room: 'other' },
  { type: 'send', ref: 3, room: ROOM, text: 'hello', cid: 'c1' },
  { type: 'history', ref: 4, room: ROOM, before: 10, limit: 5 },
  { type: 'history', ref: 4, room: ROOM, after: 1, limit: 5 },
  { type: 'presence', ref: 5, room: ROOM },
  { type: 'typing', room: ROOM },
  { type: 'ping', ref: 6 },
  { type: 'refresh', ref: 7, token: 'x.y.z' },
  { type: 'rooms', ref: 8 },
  { type: 'create_room', ref: 9, name: 'Fuzzed', kind: 'private', topic: 't', id: 'fuzzed' },
  { type: 'update_room', ref: 10, room: 'fuzzed', name: 'F', archived: false, announceJoins: true },
  { type: 'public_rooms', ref: 11, after: { name: 'a', id: 'b' }, limit: 5 },
  { type: 'members', ref: 12, room: 'fuzzed', after: 'u', limit: 5 },
  { type: 'bans', ref: 12, room: 'fuzzed', after: 'u', limit: 5 },
  { type: 'search', ref: 12, query: 'hello world', room: ROOM, before: '1:2:fuzzed', limit: 5 },
  { type: 'search', ref: 12, query: 'héllo' },
  { type: 'edits', ref: 12, room: ROOM, offset: 1 },
  { type: 'search', ref: 12, from: 'u-1', has: 'link', since: 0, until: 9_007_199_254_740_991, room: ROOM },
  { type: 'invite', ref: 13, room: 'fuzzed', user: 'someone' },
  { type: 'invitations', ref: 13, room: 'fuzzed', after: 'u', limit: 5 },
  { type: 'uninvite', ref: 13, room: 'fuzzed', user: 'someone' },
  { type: 'notifications', ref: 13, room: 'fuzzed', level: 'none' },
  { type: 'favorite', ref: 13, room: 'fuzzed', favorite: true },
  { type: 'hide', ref: 13, room: 'fuzzed', hidden: true },
  { type: 'hide', ref: 13, room: 'fuzzed', hidden: false },
  { type: 'pin', ref: 13, room: ROOM, offset: 1 },
  { type: 'unpin', ref: 13, room: ROOM, offset: 1 },
  { type: 'pins', ref: 13, room: 'fuzzed' },
  { type: 'create_webhook', ref: 13, room: 'fuzzed', name: 'Hook' },
  { type: 'create_invite_link', ref: 13, room: 'fuzzed', expiresInMs: 60_000, maxUses: 2 },
  { type: 'invite_links', ref: 13, room: 'fuzzed' },
  { type: 'revoke_invite_link', ref: 13, room: 'fuzzed', code: 'abc' },
  { type: 'join_link', ref: 13, code: 'abc' },
  { type: 'webhooks', ref: 13, room: 'fuzzed' },
  { type: 'delete_webhook', ref: 13, room: 'fuzzed', webhook: 'abc' },
  { type: 'save', ref: 13, room: ROOM, offset: 1 },
  { type: 'unsave', ref: 13, room: ROOM, offset: 1 },
  { type: 'saved', ref: 13, skip: 0 },
  { type: 'schedule', ref: 13, room: 'fuzzed', text: 'later', at: 9e12, replyTo: 1, mentions: ['someone'] },
  { type: 'unschedule', ref: 13, id: 'abc' },
  { type: 'reschedule', ref: 13, id: 'abc', at: 9e12 },
  { type: 'reschedule', ref: 13, id: 'abc' },
  { type: 'remind', ref: 13, room: ROOM, offset: 1, at: 9e12 },
  { type: 'remind', ref: 13, room: ROOM, offset: 1 },
  { type: 'scheduled_messages', ref: 13, skip: 0 },
  { type: 'set_draft', ref: 13, room: ROOM, text: 'half' },
  { type: 'set_draft', room: ROOM, text: '' },
  { type: 'drafts', ref: 13, skip: 0 },
  { type: 'sent_invitations', ref: 13, after: { room: 'fuzzed', user: 'u' }, limit: 5 },
  { type: 'accept', ref: 14, room: 'fuzzed' },
  { type: 'decline', ref: 15, room: 'fuzzed' },
  { type: 'leave_room', ref: 16, room: 'fuzzed' },
  { type: 'kick', ref: 17, room: 'fuzzed', user: 'someone', reason: 'r' },
  { type: 'ban', ref: 18, room: 'fuzzed', user: 'someone', reason: 'r', until: 1 },
  { type: 'unban', ref: 19, room: 'fuzzed', user: 'someone' },
  { type: 'mute', ref: 20, room: 'fuzzed', user: 'someone', until: 1 },
  { type: 'unmute', ref: 21, room: 'fuzzed', user: 'someone' },
  { type: 'set_role', ref: 22, room: 'fuzzed', user: 'someone', role: 'admin' },
  { type: 'direct', ref: 23, users: [{ id: 'someone', name: 'S' }] },
  { type: 'send', ref: 24, room: ROOM, text: 'a reply', cid: 'c2', replyTo: 1 },
  { type: 'send', ref: 24, room: ROOM, text: '', cid: 'c3', forward: { room: ROOM, offset: 1 } },
  { type: 'edit', ref: 25, room: ROOM, offset: 1, text: 'edited' },
  { type: 'delete', ref: 26, room: ROOM, offset: 1 },
  { type: 'react', ref: 27, room: ROOM, offset: 1, emoji: '👍' },
  { type: 'unreact', ref: 28, room: ROOM, offset: 1, emoji: ':party:' },
  { type: 'read', ref: 29, room: ROOM, offset: 2 },
  { type: 'read', room: ROOM, offset: 3 },
  { type: 'unread', ref: 29, room: ROOM, offset: 2 },
  { type: 'settings', ref: 30, readReceipts: false },
  { type: 'send', ref: 31, room: ROOM, text: '@someone hi', cid: 'c3', mentions: ['someone'] },
  // An upload in progress makes the binary frames below its pieces.
  { type: 'upload', ref: 32, room: ROOM, name: 'f.png', size: 40, mime: 'image/png' },
  { type: 'cancel_upload', ref: 33 },
  { type: 'set_status', ref: 35, status: { availability: 'dnd', text: 'busy', emoji: '📅', until: 9e12 } },
  { type: 'statuses', ref: 36, users: ['someone', 'fuzzer'] },
  { type: 'link_preview', ref: 46, url: 'http://127.0.0.1:1/page' },
  { type: 'send', ref: 34, room: ROOM, text: '', cid: 'c4', files: ['abc'] },
  { type: 'send', ref: 37, room: ROOM, text: 'in a thread', cid: 'c5', thread: 1 },
  { type: 'history', ref: 38, room: ROOM, thread: 1, before: 9, limit: 5 },
  { type: 'invite_preview', ref: 39, code: 'abcdefghijklmnopqrstuvwxyz012345' },
  { type: 'follow_thread', ref: 40, room: ROOM, thread: 1, follow: true },
  { type: 'read_thread', ref: 41, room: ROOM, thread: 1, offset: 3 },
  { type: 'read_thread', room: ROOM, thread: 1, offset: 4 },
  { type: 'threads', ref: 42, skip: 0 },
  { type: 'thread_counts', ref: 45, skip: 0 },
  { type: 'follow_thread', ref: 43, room: ROOM, thread: 1, follow: false },
  { type: 'send', ref: 44, room: ROOM, text: 'to the room too', cid: 'c6', thread: 1, broadcast: true },
  { type: 'send', ref: 47, room: ROOM, text: '@room all', cid: 'c7', mentionsRoom: true },
];
const FIELDS = [
  'type',
  'ref',
  'room',
  'text',
  'cid',
  'since',
  'before',
  'after',
  'limit',
  'token',
  'from',
  'name',
  'kind',
  'topic',
  'id',
  'user',
  'users',
  'url',
  'role',
  'reason',
  'until',
  'archived',
  'announceJoins',
  'replyTo',
  'thread',
  'mentions',
  'readReceipts',
  'offset',
  'emoji',
  'level',
  'query',
  'size',
  'mime',
  'files',
  'status',
  'availability',
  'webhook',
  'code',
  'expiresInMs',
  'maxUses',
  'follow',
  'favorite',
  'hidden',
  'mentionsRoom',
  'broadcast',
  'skip',
  '__proto__',
];

/** One fuzz frame: text (any string), or binary. */
type FuzzFrame = { text: string } | { binary: Uint8Array };

const frames: fc.Arbitrary<FuzzFrame> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 300, unit: 'binary' }).map((text) => ({ text })) },
  {
    weight: 3,
    arbitrary: fc.jsonValue({ maxDepth: 4 }).map((value) => ({ text: JSON.stringify(value) ?? 'null' })),
  },
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...VALID_COMMANDS),
        fc.constantFrom(...FIELDS),
        fc.jsonValue({ maxDepth: 2 }),
        fc.boolean(),
      )
      .map(([command, field, value, drop]) => {
        const mutated: Record<string, unknown> = { ...command };
        if (drop) delete mutated[field];
        else mutated[field] = value;
        return { text: JSON.stringify(mutated) };
      }),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((binary) => ({ binary })) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 9000, max: 20000 })
      .map((n) => ({ text: `{"type":"ping","ref":1,"x":"${'x'.repeat(n)}"}` })),
  },
);

describe('fuzzing a live server', async () => {
  const node = await startNode({ maxPayloadBytes: 8192, maxTextLength: 1000 });
  const watcher = await RawClient.connect(node.wsUrl, { name: 'Watcher', user: 'watcher' });
  const sender = await RawClient.connect(node.wsUrl, { name: 'Sender', user: 'sender' });
  after(() => {
    watcher.close();
    sender.close();
  });
  await watcher.request({ type: 'join', room: ROOM });
  await sender.request({ type: 'join', room: ROOM });

  it(`answers ${RUNS} random frames with documented replies and closes, and loses nothing`, async () => {
    const acked = new Set<string>();
    let fuzzer = await RawClient.connect(node.wsUrl, { name: 'Fuzzer', user: 'fuzzer' });
    await fuzzer.request({ type: 'join', room: ROOM });
    let closes = 0;
    let run = 0;
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(frames, async (frame) => {
        run += 1;
        if (run % 50 === 0) {
          const ack = await sender.request({
            type: 'send',
            room: ROOM,
            text: `good ${run}`,
            cid: `good-${run}`,
          });
          assert.equal(ack.type, 'sent');
          acked.add(ack.id as string);
        }
        const before = fuzzer.frames.items.length;
        if ('binary' in frame) fuzzer.sendRaw(Buffer.from(frame.binary), true);
        else fuzzer.sendRaw(frame.text);
        // A ping with a ref the fuzz frames cannot have marks the end of what this frame caused.
        const marker = 1_000_000_000 + run;
        fuzzer.fire({ type: 'ping', ref: marker });
        const outcome = await within(
          Promise.race([
            fuzzer.frames
              .find((f) => f.type === 'pong' && f.ref === marker, 5000)
              .then(() => 'answered' as const),
            fuzzer.closed.then((c) => c.code),
          ]),
          6000,
          'an answer or a close',
        );
        for (const f of fuzzer.frames.items.slice(before) as Frame[]) {
          assert.ok(SERVER_FRAMES.has(f.type), `unknown frame ${f.type}`);
          seen.set(f.type, (seen.get(f.type) ?? 0) + 1);
          if (f.type === 'error') {
            assert.ok(
              Object.hasOwn(ErrorCodes, f.code as string),
              `undocumented error code ${String(f.code)}`,
            );
            assert.equal(typeof f.message, 'string');
            assert.equal(typeof f.temporary, 'boolean');
          }
          if (f.type === 'sent' && f.duplicate === false && f.room === ROOM) acked.add(f.id as string);
          // An action that changed something has an entry in the room's log, delivered like a message.
          if (f.type === 'acted' && f.action && f.room === ROOM) acked.add((f.action as { id: string }).id);
        }
        if (outcome !== 'answered') {
          assert.ok(DOCUMENTED_CLOSES.has(outcome), `undocumented close ${outcome}`);
          closes += 1;
          fuzzer = await RawClient.connect(node.wsUrl, { name: 'Fuzzer', user: 'fuzzer' });
          await fuzzer.request({ type: 'join', room: ROOM });
        }
      }),
      { numRuns: RUNS },
    );
    fuzzer.close();
    console.log(
      `# ${RUNS} frames: ${closes} documented closes; replies ${JSON.stringify(Object.fromEntries(seen))}`,
    );

    assert.equal((await fetch(`${node.url}/healthz`)).status, 200, 'the server is alive');
    await waitUntil(
      () => watcher.ofType('message').length >= acked.size,
      10_000,
      'the watcher to get every message',
    );
    await watcher.request({ type: 'ping' });
    const got = watcher.ofType('message');
    assert.deepEqual(new Set(got.map((m) => m.id as string)), acked, 'exactly the acknowledged messages');
    assert.deepEqual(
      got.map((m) => m.offset),
      got.map((_, i) => i + 1),
      'in order, without a gap',
    );
    assert.equal(watcher.ofType('error').length, 0, 'the fuzzing never reached other clients as errors');
  });
});
