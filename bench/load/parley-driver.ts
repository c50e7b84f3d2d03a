import { type DeliveryHandler, scanDelivery } from './accounting.js';
import { type BenchClient, type Driver, timeout } from './driver.js';
import { RawWebSocket } from './raw-websocket.js';

/** How every presence diff frame starts (the server writes `type` first). */
const PRESENCE_DIFF = Buffer.from('{"type":"presence_diff"');

/** How every reply starts: the server writes `type` first, then `ref`. */
const TYPE_KEY = Buffer.from('{"type":"');
const REF_KEY = Buffer.from('","ref":');
const ERROR_TYPE = Buffer.from('error');
/** Longest command reply type read in place (longer ones go to the JSON decoder). */
const MAX_TYPE_LENGTH = 32;

/**
 * The ref of a reply other than an error (`sent`, `joined`, ...), read from its first bytes without decoding the
 * frame; undefined for an error, a frame without a ref or one laid out otherwise (those go to the JSON decoder).
 * A `joined` reply carries a page of presence (a few KB in a room of 190): decoding it cost the load side more
 * than the server spent encoding it.
 */
export function replyRef(data: Buffer): number | undefined {
  const typeAt = TYPE_KEY.length;
  if (data.length <= typeAt || data.compare(TYPE_KEY, 0, typeAt, 0, typeAt) !== 0) return undefined;
  const typeEnd = data.indexOf(34, typeAt);
  if (typeEnd < 0 || typeEnd - typeAt > MAX_TYPE_LENGTH) return undefined;
  if (data.compare(ERROR_TYPE, 0, ERROR_TYPE.length, typeAt, typeEnd) === 0) return undefined;
  const refAt = typeEnd + REF_KEY.length;
  if (refAt >= data.length || data.compare(REF_KEY, 0, REF_KEY.length, typeEnd, refAt) !== 0)
    return undefined;
  let ref = 0;
  let at = refAt;
  for (; at < data.length; at += 1) {
    const digit = (data[at] as number) - 48;
    if (digit < 0 || digit > 9) break;
    ref = ref * 10 + digit;
  }
  return at > refAt && (data[at] === 44 || data[at] === 125) ? ref : undefined;
}

/**
 * Drives a Parley server over its JSON protocol (raw frames, no SDK: the load side must be lean), with live messages
 * in the compact form, as the SDK asks for them.
 */
export const parleyDriver: Driver = {
  name: 'parley',
  async connect(url, user, localAddress) {
    const ws = await RawWebSocket.open(`${url}?v=1&format=compact&name=${user}&user=${user}`, {
      localAddress,
    });
    const pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
    let nextRef = 1;
    let onDelivery: DeliveryHandler = () => {};
    let onClose: () => void = () => {};
    const welcomed = new Promise<void>((resolve, reject) => {
      ws.onClose = () => reject(new Error('closed before welcome'));
      ws.onMessage = () => resolve();
    });
    await timeout(welcomed, 30_000, `connect ${user}`);
    ws.onClose = () => {
      for (const p of pending.values()) p.reject(new Error('connection closed'));
      pending.clear();
      onClose();
    };
    ws.onMessage = (data) => {
      // Deliveries are found in the raw frame (compact live messages and, after a resume, full ones alike).
      if (scanDelivery(data, onDelivery)) return;
      // Presence diffs (about 25 per member while a room of 50 fills) are not looked at: a load client that ignores
      // presence does not decode it, so the load side spends its CPU on what it measures.
      if (data.compare(PRESENCE_DIFF, 0, PRESENCE_DIFF.length, 0, PRESENCE_DIFF.length) === 0) return;
      // A reply (an ack per message published, a join's) is recognised by its first bytes and its ref read in place.
      const acked = replyRef(data);
      if (acked !== undefined) {
        const waiter = pending.get(acked);
        if (waiter) {
          pending.delete(acked);
          waiter.resolve();
        }
        return;
      }
      // What is left is errors and events the load ignores.
      const frame = JSON.parse(data.toString()) as { type?: string; ref?: number; code?: string };
      if (frame.ref === undefined) return;
      const waiter = pending.get(frame.ref);
      if (!waiter) return;
      pending.delete(frame.ref);
      if (frame.type === 'error') waiter.reject(new Error(frame.code ?? 'error'));
      else waiter.resolve();
    };
    const request = (command: Record<string, unknown>) => {
      const ref = nextRef++;
      const reply = new Promise<void>((resolve, reject) => pending.set(ref, { resolve, reject }));
      ws.send(JSON.stringify({ ...command, ref }));
      return timeout(reply, 30_000, String(command.type));
    };
    const client: BenchClient = {
      join: (room) => request({ type: 'join', room }),
      publish: (room, text, id) => request({ type: 'send', room, text, cid: id }),
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
