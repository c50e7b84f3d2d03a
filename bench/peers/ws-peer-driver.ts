import WebSocket from 'ws';
import { type BenchClient, type Driver, timeout } from '../load/driver.js';

/** Drives the bare `ws` peer (bench/peers/ws-server.ts). */
export const wsPeerDriver: Driver = {
  name: 'ws-peer',
  async connect(url, _user, localAddress) {
    // As the Parley driver: no UTF-8 validation of the server's frames on the load side.
    const ws = new WebSocket(url, { localAddress, perMessageDeflate: false, skipUTF8Validation: true });
    await timeout(
      new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      }),
      30_000,
      'connect',
    );
    const pending = new Map<number, () => void>();
    let nextId = 1;
    let onMessage: (room: string, text: string) => void = () => {};
    let onClose: () => void = () => {};
    ws.on('error', () => {});
    ws.on('close', () => onClose());
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { t: string; r?: string; m?: string; i?: number };
      if (frame.t === 'm') onMessage(frame.r as string, frame.m as string);
      else if (frame.t === 'a' && frame.i !== undefined) {
        pending.get(frame.i)?.();
        pending.delete(frame.i);
      }
    });
    const request = (command: Record<string, unknown>) => {
      const i = nextId++;
      const acked = new Promise<void>((resolve) => pending.set(i, resolve));
      ws.send(JSON.stringify({ ...command, i }));
      return timeout(acked, 30_000, String(command.t));
    };
    const client: BenchClient = {
      join: (room) => request({ t: 'j', r: room }),
      publish: (room, text) => request({ t: 'p', r: room, m: text }),
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
