/**
 * The SDK against a scripted socket: frames the server sent after a join reply, read in the same tick as the reply
 * (the `ws` package emits all the frames of one read before any promise settles), are applied after it, as the
 * server ordered them. Without that, a live message that followed a resume's reply was dropped for good (the nginx
 * drain test caught it: a member missed the last message after moving to the other instance), and one that
 * followed a first join's reply was delivered twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage, ServerFrame } from '../../client/protocol.js';
import { scriptedClient, settle } from '../helpers/scripted-client.js';

const EPOCH = 'e1';
const message = (offset: number): ChatMessage => ({
  room: 'r',
  id: `m${offset}`,
  offset,
  epoch: EPOCH,
  from: { id: 'u', name: 'U' },
  text: `text ${offset}`,
  ts: offset,
  cid: `c${offset}`,
});
const live = (offset: number): ServerFrame => ({ type: 'message', ...message(offset) }) as ServerFrame;
const joinedReply = (ref: number, offset: number, recovered?: ChatMessage[]): ServerFrame =>
  ({
    type: 'joined',
    ref,
    room: 'r',
    position: { offset, epoch: EPOCH },
    presence: [{ id: 'me', name: 'Me' }],
    presenceCount: 1,
    ...(recovered ? { recovered: true, messages: recovered } : {}),
  }) as ServerFrame;

describe('SDK: frames that follow a join reply in the same read', () => {
  it('delivers a live message read with the first join reply once', async () => {
    const { client, offsets, joining } = scriptedClient();
    const { socket, ref, joined } = await joining();
    socket.read(joinedReply(ref, 4), live(5));
    await joined;
    await settle();
    socket.read(live(6));
    await settle();
    assert.deepEqual(offsets, [5, 6]);
    client.close();
  });

  it('keeps a live message read with a resume reply after a reconnect', async () => {
    const { client, offsets, connected, joining } = scriptedClient();
    const { socket: first, ref, joined } = await joining();
    first.read(joinedReply(ref, 0));
    await joined;
    first.read(live(1), live(2), live(3), live(4));
    await settle();
    first.drop(4001);
    const second = await connected(2);
    await settle();
    const resume = second.lastJoin();
    assert.deepEqual(resume.since, { offset: 4, epoch: EPOCH });
    // The reply recovers 5; 6 was published just after and follows it in the same read.
    second.read(joinedReply(resume.ref, 5, [message(5)]), live(6));
    await settle();
    await settle();
    assert.deepEqual(offsets, [1, 2, 3, 4, 5, 6]);
    client.close();
  });

  it('acts on a position hint read with the join reply: fetches what its instance missed', async () => {
    const { client, offsets, joining } = scriptedClient();
    const { socket, ref, joined } = await joining();
    // The instance lost its Redis subscription right after the reply: 3 and 4 never came live.
    socket.read(joinedReply(ref, 2), {
      type: 'position',
      room: 'r',
      position: { offset: 4, epoch: EPOCH },
    } as ServerFrame);
    await joined;
    await settle();
    const history = socket.sent.find((c) => c.type === 'history');
    assert.ok(history, 'the client asked for the missed messages');
    socket.read({
      type: 'history',
      ref: history.ref,
      room: 'r',
      messages: [message(3), message(4)],
      position: { offset: 4, epoch: EPOCH },
      hasMore: false,
    } as ServerFrame);
    await settle();
    assert.deepEqual(offsets, [3, 4]);
    client.close();
  });
});
