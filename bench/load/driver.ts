import type { DeliveryHandler } from './accounting.js';

/**
 * What the load tool needs from a chat system: connect as a user, join a room, publish (acknowledged), and hear
 * the room's messages. Drivers are lean on purpose: a raw WebSocket client per system, not its SDK. One driver per system under test (Parley here; the peers in bench/peers/).
 */
export interface BenchClient {
  join(room: string): Promise<void>;
  /** Publishes and resolves once the server acknowledged it. */
  publish(room: string, text: string, id: string): Promise<void>;
  /**
   * Called for every load-test message delivered to this client, with the numbers of its payload, found in the
   * raw frame ({@link scanDelivery}): the load side only needs those, and decoding whole frames would be load-side
   * CPU that the measurement does not need.
   */
  onDelivery(handler: DeliveryHandler): void;
  /** Called once when the connection ends. */
  onClose(handler: () => void): void;
  close(): void;
}

export interface Driver {
  readonly name: string;
  connect(url: string, user: string, localAddress: string | undefined): Promise<BenchClient>;
}

/** Rejects when `promise` takes longer than `ms`. */
export function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
