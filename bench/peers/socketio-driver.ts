import { type DeliveryHandler, scanDelivery } from '../load/accounting.js';
import { type BenchClient, type Driver, timeout } from '../load/driver.js';
import { RawWebSocket } from '../load/raw-websocket.js';

/** Engine.IO v4 packet types (the first character of a frame) and the Socket.IO packet inside a message. */
const OPEN = 0x30; // '0{...}': the session's parameters
const PING = 0x32; // '2'
const MESSAGE = 0x34; // '4'
const CONNECT = 0x30; // '0' after '4': "40{sid}" is the namespace's connect reply
const ACK = 0x33; // '3' after '4': "43<id>[...]"
const DIGIT_0 = 0x30;

/**
 * Drives the Socket.IO peer over the load side's raw WebSocket with the Engine.IO v4 / Socket.IO v5 wire format, as the Parley and
 * bare ws drivers do: socket.io-client decodes every packet into objects, and on a shared machine that load-side
 * work would be charged to whichever system made the load side busier. Only what the load needs: connect to the
 * default namespace, emit with an acknowledgement, answer the server's pings, find deliveries in the raw frames.
 */
export const socketIoDriver: Driver = {
  name: 'socketio',
  async connect(url, _user, localAddress) {
    const base = url.replace(/\/ws$/, '').replace(/\/$/, '');
    const ws = await RawWebSocket.open(`${base}/socket.io/?EIO=4&transport=websocket`, { localAddress });
    const acks = new Map<number, () => void>();
    let nextId = 1;
    let onDelivery: DeliveryHandler = () => {};
    let onClose: () => void = () => {};
    const connected = new Promise<void>((resolve, reject) => {
      ws.onClose = () => reject(new Error('closed before connect'));
      ws.onMessage = (data) => {
        // "0{...}" opens the Engine.IO session; the namespace connect ("40") is answered by "40{sid}".
        if (data[0] === OPEN) ws.send('40');
        else if (data[0] === MESSAGE && data[1] === CONNECT) resolve();
      };
    });
    await timeout(connected, 30_000, 'connect');
    ws.onClose = () => onClose();
    ws.onMessage = (data) => {
      if (scanDelivery(data, onDelivery)) return;
      if (data[0] === PING && data.length === 1) {
        ws.send('3');
        return;
      }
      if (data[0] !== MESSAGE || data[1] !== ACK) return;
      let id = 0;
      for (let i = 2; i < data.length; i += 1) {
        const c = (data[i] as number) - DIGIT_0;
        if (c < 0 || c > 9) break;
        id = id * 10 + c;
      }
      acks.get(id)?.();
      acks.delete(id);
    };
    const emit = (args: unknown[]) => {
      const id = nextId++;
      const acked = new Promise<void>((resolve) => acks.set(id, resolve));
      ws.send(`42${id}${JSON.stringify(args)}`);
      return timeout(acked, 30_000, String(args[0]));
    };
    const client: BenchClient = {
      join: (room) => emit(['j', room]),
      publish: (room, text) => emit(['p', room, text]),
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
