/**
 * The bare `ws` peer: the practical limit of the WebSocket library for room fan-out. Each broadcast is framed once
 * (one Buffer with header and payload) and the same bytes are written to every member's socket, corked for the
 * event-loop turn so that many frames leave in one write. No history, presence or ordering guarantees: just rooms.
 *
 * Protocol (JSON): {t:'j',r,i} join, {t:'p',r,m,i} publish; the server acks {t:'a',i} and broadcasts {t:'m',r,m}.
 * Usage: node dist/bench/peers/ws-server.js <port>
 */
import type { Socket } from 'node:net';
import * as wsModule from 'ws';
import { type WebSocket, WebSocketServer } from 'ws';

/** ws exports its frame encoder (`Sender.frame`) but @types/ws does not declare it. */
const { Sender } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

const port = Number(process.argv[2] ?? 8090);
const rooms = new Map<string, Set<WebSocket>>();
const corked = new Set<Socket>();

function rawSocket(ws: WebSocket): Socket {
  // The peer writes pre-framed bytes to the TCP socket itself: that is the point of framing once.
  return (ws as unknown as { _socket: Socket })._socket;
}

function frame(text: string): Buffer {
  const parts = Sender.frame(Buffer.from(text), {
    fin: true,
    opcode: 1,
    mask: false,
    readOnly: true,
    rsv1: false,
  });
  return Buffer.concat(parts);
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

const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false, maxPayload: 64 * 1024 });
wss.on('connection', (ws) => {
  const joined = new Set<string>();
  ws.on('message', (data) => {
    const command = JSON.parse(String(data)) as { t: string; r: string; m?: string; i: number };
    if (command.t === 'j') {
      let members = rooms.get(command.r);
      if (!members) {
        members = new Set();
        rooms.set(command.r, members);
      }
      members.add(ws);
      joined.add(command.r);
    } else if (command.t === 'p') {
      const bytes = frame(JSON.stringify({ t: 'm', r: command.r, m: command.m }));
      for (const member of rooms.get(command.r) ?? []) write(member, bytes);
    }
    write(ws, frame(`{"t":"a","i":${command.i}}`));
  });
  ws.on('close', () => {
    for (const room of joined) rooms.get(room)?.delete(ws);
  });
});
wss.on('listening', () => process.stdout.write(`ws peer listening on ${port}\n`));
process.on('SIGTERM', () => wss.close(() => process.exit(0)));
