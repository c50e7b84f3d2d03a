import type { RoomEvent } from '../engine/types.js';
import type { Broker, RoomEventHandler, RoomSignal } from './broker.js';

/**
 * The broker of a single node: events go straight to the hub's handler, synchronously, for the rooms the node is
 * subscribed to. The memory log delivers appended messages through {@link deliver}, so single-node delivery runs
 * through exactly the same path as cluster delivery.
 */
export class MemoryBroker implements Broker {
  private handler: RoomEventHandler = () => {};
  private readonly rooms = new Set<string>();

  onEvent(handler: RoomEventHandler): void {
    this.handler = handler;
  }

  /** Hands an event to the hub if the room is subscribed. */
  deliver(event: RoomEvent): void {
    if (this.rooms.has(event.room)) this.handler(event);
  }

  async signal(signal: RoomSignal): Promise<void> {
    this.deliver(signal);
  }

  async subscribe(room: string): Promise<void> {
    this.rooms.add(room);
  }

  async unsubscribe(room: string): Promise<void> {
    this.rooms.delete(room);
  }

  subscribedRooms(): ReadonlySet<string> {
    return this.rooms;
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }
}
