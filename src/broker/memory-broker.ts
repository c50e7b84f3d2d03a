import { RateLimitError } from '../engine/engine.js';
import type { MessageDraft } from '../engine/types.js';
import type { MemoryHistory } from '../history/memory-history.js';
import type { BucketMap } from '../util/token-bucket.js';
import type { Broker, PublishResult, RoomEventHandler, RoomSignal } from './broker.js';

/**
 * The broker of a single node. Publishing appends to the in-memory history and calls the hub's handler
 * synchronously, so single-node delivery runs through exactly the same path as cluster delivery.
 */
export class MemoryBroker implements Broker {
  private handler: RoomEventHandler = () => {};
  private readonly rooms = new Set<string>();

  /**
   * @param userRates per-user message buckets (undefined: no limit)
   */
  constructor(
    private readonly history: MemoryHistory,
    private readonly userRates?: BucketMap,
  ) {}

  onEvent(handler: RoomEventHandler): void {
    this.handler = handler;
  }

  async publish(draft: MessageDraft): Promise<PublishResult> {
    const result = this.history.appendNow(draft, (d) => {
      if (this.userRates && !this.userRates.take(d.from.id)) {
        throw new RateLimitError(this.userRates.waitMs(d.from.id));
      }
    });
    if (!result.duplicate && this.rooms.has(draft.room)) {
      this.handler({ kind: 'message', room: draft.room, message: result.message });
    }
    return result;
  }

  async signal(signal: RoomSignal): Promise<void> {
    if (this.rooms.has(signal.room)) this.handler(signal);
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
