import { type DeliveryHandler, scanDelivery } from '../load/accounting.js';
import { type BenchClient, type Driver, timeout } from '../load/driver.js';
import { RawWebSocket } from '../load/raw-websocket.js';

/** Drives the bare `ws` peer (bench/peers/ws-server.ts), alone or with Redis. */
export const wsPeerDriver: Driver = {
  name: 'ws-peer',
  async connect(url, _user, localAddress) {
    const ws = await RawWebSocket.open(url, { localAddress });
    const pending = new Map<number, () => void>();
    let nextId = 1;
    let onDelivery: DeliveryHandler = () => {};
    let onClose: () => void = () => {};
    ws.onClose = () => onClose();
    ws.onMessage = (data) => {
      if (scanDelivery(data, onDelivery)) return;
      const frame = JSON.parse(data.toString()) as { t: string; i?: number };
      if (frame.t === 'a' && frame.i !== undefined) {
        pending.get(frame.i)?.();
        pending.delete(frame.i);
      }
    };
    const request = (command: Record<string, unknown>) => {
      const i = nextId++;
      const acked = new Promise<void>((resolve) => pending.set(i, resolve));
      ws.send(JSON.stringify({ ...command, i }));
      return timeout(acked, 30_000, String(command.t));
    };
    const client: BenchClient = {
      join: (room) => request({ t: 'j', r: room }),
      publish: (room, text) => request({ t: 'p', r: room, m: text }),
      onDelivery: (handler) => {
        onDelivery = handler;
      },
      onClose: (handler) => {
        onClose = handler;
      },
      close: () => ws.terminate(),
    };
    return client;
  },
};
