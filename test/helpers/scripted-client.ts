/**
 * The SDK against a scripted socket: the test opens each socket the client makes, reads it the server's frames in
 * one tick (as the `ws` package emits a read's frames) and drops it with a close code.
 */
import assert from 'node:assert/strict';
import { ParleyClient } from '../../client/client.js';
import type { WebSocketLike } from '../../client/connection.js';
import type { ServerFrame } from '../../client/protocol.js';
import { within } from './wait.js';

/** A socket the test drives: it opens when told, records what the client sends, and hands frames over in one tick. */
export class ScriptedSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: never) => void) | null = null;
  readonly sent: Array<{ type: string; ref: number; room?: string; since?: unknown }> = [];

  readonly bytes: Uint8Array[] = [];

  send(data: string | Uint8Array): void {
    if (typeof data === 'string') this.sent.push(JSON.parse(data));
    else this.bytes.push(data);
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

export const welcome = (session: string): ServerFrame =>
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
/** Resolves once pending promise callbacks (the join reply's) have run. */
export const settle = () => new Promise((resolve) => setImmediate(resolve));

export function scriptedClient() {
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
