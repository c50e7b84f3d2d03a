/**
 * The SDK against a scripted socket: frames the server sent after a join reply, read in the same tick as the reply
 * (the `ws` package emits all the frames of one read before any promise settles), are applied after it, as the
 * server ordered them. Without that, a live message that followed a resume's reply was dropped for good (the nginx
 * drain test caught it: a member missed the last message after moving to the other instance), and one that
 * followed a first join's reply was delivered twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ParleyClient } from '../../client/client.js';
import type { WebSocketLike } from '../../client/connection.js';
import type { ChatMessage, ServerFrame } from '../../client/protocol.js';
import { within } from '../helpers/wait.js';

/** A socket the test drives: it opens when told, records what the client sends, and hands frames over in one tick. */
class ScriptedSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: never) => void) | null = null;
  readonly sent: Array<{ type: string; ref: number; room?: string; since?: unknown }> = [];

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }

  close(): void {
    this.drop(1000);
  }

  open(): void {
    this.readyState = 1;
    this.onopen?.(undefined as never);
  }

  /** Frames of one read: handed over one after the other in this tick. */
  read(...frames: ServerFrame[]): void {
    for (const frame of frames) this.onmessage?.({ data: JSON.stringify(frame) });
  }

  drop(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }

  /** The last join the client sent. */
  lastJoin(): { ref: number; since?: unknown } {
    const join = this.sent.filter((c) => c.type === 'join').at(-1);
    assert.ok(join, 'the client sent a join');
    return join;
  }
}

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
const welcome = (session: string): ServerFrame =>
  ({
    type: 'welcome',
    v: 1,
    session,
    node: 'n1',
    user: { id: 'me', name: 'Me' },
    limits: {
      maxTextLength: 4000,
      maxRoomsPerConnection: 100,
      maxRoomNameLength: 64,
      historyPageMax: 100,
      presencePageMax: 50,
    },
  }) as ServerFrame;
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

/** Resolves once pending promise callbacks (the join reply's) have run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

function scriptedClient() {
  const sockets: ScriptedSocket[] = [];
  /** Waiters for the nth socket, resolved when the client opens it (a reconnect opens one after its backoff). */
  const waiting = new Map<number, (socket: ScriptedSocket) => void>();
  const client = new ParleyClient({
    url: 'ws://127.0.0.1:1/ws',
    name: 'Me',
    compact: false,
    reconnect: { minDelayMs: 1, maxDelayMs: 1, factor: 1 },
    webSocket: () => {
      const socket = new ScriptedSocket();
      sockets.push(socket);
      waiting.get(sockets.length)?.(socket);
      return socket;
    },
  });
  const offsets: number[] = [];
  client.on('message', (m) => offsets.push(m.offset));
  /** The nth socket, once the client opened it, opened and welcomed. */
  const connected = async (n: number) => {
    const opened = sockets[n - 1] ?? new Promise<ScriptedSocket>((resolve) => waiting.set(n, resolve));
    const socket = await within(Promise.resolve(opened), 2000, `socket ${n} to open`);
    socket.open();
    socket.read(welcome(`s${n}`));
    await settle();
    return socket;
  };
  /** Connects and sends the join of room `r`: the test answers it on the returned socket. */
  const joining = async () => {
    client.connect();
    const socket = await connected(1);
    const joined = client.join('r');
    await settle();
    return { socket, ref: socket.lastJoin().ref, joined };
  };
  return { client, offsets, connected, joining };
}

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
