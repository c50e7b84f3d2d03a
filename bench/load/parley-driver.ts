import WebSocket from 'ws';
import { type BenchClient, type Driver, timeout } from './driver.js';

/** How every presence diff frame starts (the server writes `type` first). */
const PRESENCE_DIFF = Buffer.from('{"type":"presence_diff"');

/**
 * Drives a Parley server over its JSON protocol (raw frames, no SDK: the load side must be lean), with live messages
 * in the compact form, as the SDK asks for them.
 */
export const parleyDriver: Driver = {
  name: 'parley',
  async connect(url, user, localAddress) {
    const ws = new WebSocket(`${url}?v=1&format=compact&name=${user}&user=${user}`, {
      localAddress,
      perMessageDeflate: false,
      // The server is trusted here; validating the UTF-8 of every frame would be load-side work that measures nothing.
      skipUTF8Validation: true,
    });
    const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
    let nextRef = 1;
    let onMessage: (room: string, text: string) => void = () => {};
    let onClose: () => void = () => {};
    const welcomed = new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.once('close', (code) => reject(new Error(`closed ${code} before welcome`)));
      ws.once('message', () => resolve());
    });
    await timeout(welcomed, 30_000, `connect ${user}`);
    ws.removeAllListeners('close');
    ws.removeAllListeners('error');
    ws.on('error', () => {});
    ws.on('close', () => {
      for (const p of pending.values()) p.reject(new Error('connection closed'));
      pending.clear();
      onClose();
    });
    ws.on('message', (data: Buffer) => {
      // Presence diffs (about 25 per member while a room of 50 fills) are not looked at: a load client that ignores
      // presence does not decode it, so the load side spends its CPU on what it measures.
      if (data.subarray(0, PRESENCE_DIFF.length).equals(PRESENCE_DIFF)) return;
      const text = String(data);
      // Live messages come in the compact form: ["m", room, id, offset, epoch, fromId, fromName, text, ts, cid].
      if (text.charCodeAt(0) === 91) {
        const compact = JSON.parse(text) as unknown[];
        if (compact[0] === 'm') onMessage(compact[1] as string, compact[7] as string);
        return;
      }
      const frame = JSON.parse(text) as {
        type: string;
        ref?: number;
        room?: string;
        text?: string;
        code?: string;
      };
      if (frame.type === 'message') {
        onMessage(frame.room as string, frame.text as string);
        return;
      }
      if (frame.ref === undefined) return;
      const waiter = pending.get(frame.ref);
      if (!waiter) return;
      pending.delete(frame.ref);
      if (frame.type === 'error') waiter.reject(new Error(frame.code ?? 'error'));
      else waiter.resolve();
    });
    const request = (command: Record<string, unknown>) => {
      const ref = nextRef++;
      const reply = new Promise<void>((resolve, reject) => pending.set(ref, { resolve, reject }));
      ws.send(JSON.stringify({ ...command, ref }));
      return timeout(reply, 30_000, String(command.type));
    };
    const client: BenchClient = {
      join: (room) => request({ type: 'join', room }),
      publish: (room, text, id) => request({ type: 'send', room, text, cid: id }),
      onMessage: (handler) => {
        onMessage = handler;
      },
      onClose: (handler) => {
        onClose = handler;
      },
      close: () => ws.terminate(),
    };
    return client;
  },
};
