/**
 * The bare `ws` peer: the practical limit of the WebSocket library for room fan-out. Each broadcast is framed once
 * (one Buffer with header and payload) and the same bytes are written to every member's socket, corked for the
 * event-loop turn so that many frames leave in one write. No history, presence or ordering guarantees: just rooms.
 *
 * With REDIS_URL set it is the minimal multi-instance fan-out: one Redis channel per room, subscribed while the
 * instance has a member there (as Parley subscribes per locally joined room); a publish is one `PUBLISH` of the
 * frame's payload, acknowledged once Redis took it, and every instance (the publisher's too) frames what its
 * subscription hears once and writes it to its local members.
 *
 * Protocol (JSON): {t:'j',r,i} join, {t:'p',r,m,i} publish; the server acks {t:'a',i} and broadcasts {t:'m',r,m}.
 * Usage: node dist/bench/peers/ws-server.js <port>
 */
import type { Socket } from 'node:net';
import { Redis } from 'ioredis';
import { type WebSocket, WebSocketServer } from 'ws';
import { wholeFrame } from '../../src/transport/ws-frame.js';

const port = Number(process.argv[2] ?? 8090);
const rooms = new Map<string, Set<WebSocket>>();
const corked = new Set<Socket>();
const CHANNEL = 'wsroom:';

const pub = process.env.REDIS_URL ? new Redis(process.env.REDIS_URL) : undefined;
const sub = pub?.duplicate();
sub?.on('messageBuffer', (channel: Buffer, payload: Buffer) => {
  broadcast(String(channel).slice(CHANNEL.length), payload);
});

function rawSocket(ws: WebSocket): Socket {
  // The peer writes pre-framed bytes to the TCP socket itself: that is the point of framing once.
  return (ws as unknown as { _socket: Socket })._socket;
}

function frame(payload: Buffer): Buffer {
  return wholeFrame(payload, { fin: true, opcode: 1, mask: false, readOnly: true, rsv1: false });
}

function write(ws: WebSocket, bytes: Buffer): void {
  const socket = rawSocket(ws);
  if (!socket || socket.destroyed) return;
  if (!corked.has(socket)) {
    if (corked.size === 0) setImmediate(uncorkAll);
    socket.cork();
    corked.add(socket);
  }
  socket.write(bytes);
}

function uncorkAll(): void {
  for (const socket of corked) socket.uncork();
  corked.clear();
}

function broadcast(room: string, payload: Buffer): void {
  const bytes = frame(payload);
  for (const member of rooms.get(room) ?? []) write(member, bytes);
}

/** Joins locally; with Redis, the first local member subscribes the room's channel before the join is acked. */
async function join(ws: WebSocket, room: string): Promise<void> {
  let members = rooms.get(room);
  if (!members) {
    members = new Set();
    rooms.set(room, members);
    await sub?.subscribe(CHANNEL + room);
  }
  members.add(ws);
}

function leave(ws: WebSocket, room: string): void {
  const members = rooms.get(room);
  members?.delete(ws);
  if (members?.size === 0) {
    rooms.delete(room);
    void sub?.unsubscribe(CHANNEL + room);
  }
}

const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false, maxPayload: 64 * 1024 });
wss.on('connection', (ws) => {
  const joined = new Set<string>();
  const ack = (i: number) => write(ws, frame(Buffer.from(`{"t":"a","i":${i}}`)));
  ws.on('message', (data) => {
    const command = JSON.parse(String(data)) as { t: string; r: string; m?: string; i: number };
    if (command.t === 'j') {
      joined.add(command.r);
      void join(ws, command.r).then(() => ack(command.i));
      return;
    }
    if (command.t === 'p') {
      const payload = JSON.stringify({ t: 'm', r: command.r, m: command.m });
      if (pub) {
        void pub.publish(CHANNEL + command.r, payload).then(() => ack(command.i));
        return;
      }
      broadcast(command.r, Buffer.from(payload));
    }
    ack(command.i);
  });
  ws.on('close', () => {
    for (const room of joined) leave(ws, room);
  });
});
wss.on('listening', () => process.stdout.write(`ws peer listening on ${port}\n`));
// SIGINT too: a profile (`--cpu-prof`) is written on a normal exit only.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => process.exit(0));
