import type { MemoryBroker } from '../broker/memory-broker.js';
import type { ChatMessage, StreamPosition } from '../engine/types.js';
import { changesEarlier, pageFromWindow, type RecentWindow, type WindowFill } from './recent-window.js';
import type { HistoryPage, HistoryQuery } from './room-log.js';

interface RoomWindow {
  position: StreamPosition;
  earliest?: number;
  /** Contiguous recent messages, oldest first: `messages[i].offset === first + i`. */
  messages: ChatMessage[];
  /** Offset of the newest action published (a fill read before it is stale). */
  modified?: number;
}

/**
 * The recent window of a single node, in process memory: the last `size` messages of each room that has members
 * here (a room's window goes when its last local member leaves), in front of the embedded or PostgreSQL store.
 * Publishing delivers through the memory broker, the same path as every other engine.
 */
export class MemoryWindow implements RecentWindow {
  private readonly rooms = new Map<string, RoomWindow>();

  constructor(
    private readonly broker: MemoryBroker,
    private readonly size: number,
  ) {}

  /** Rooms with a window (for tests and stats). */
  get roomCount(): number {
    return this.rooms.size;
  }

  async publish(messages: ChatMessage[], replaced?: ChatMessage[]): Promise<void> {
    for (const message of messages) {
      this.add(message);
      this.broker.deliver({ kind: 'message', room: message.room, message });
    }
    for (const action of messages) if (replaced && changesEarlier(action)) this.replace(action, replaced);
  }

  async read(room: string, query: HistoryQuery): Promise<HistoryPage | undefined> {
    const window = this.rooms.get(room);
    if (!window) return undefined;
    const first = window.messages[0]?.offset ?? 0;
    return pageFromWindow(query, window.position, window.earliest, (offset) => {
      const message = window.messages[offset - first];
      return message?.offset === offset ? message : undefined;
    });
  }

  async position(room: string): Promise<StreamPosition | undefined> {
    return this.rooms.get(room)?.position;
  }

  async fill(room: string, page: WindowFill): Promise<void> {
    // Only rooms with members here get a window (the broker subscribes a room on its first local member, and the
    // window goes with the last): a read of any other room (the server API) leaves nothing behind.
    if (!this.broker.subscribedRooms().has(room)) return;
    let window = this.rooms.get(room);
    if (!window || window.position.epoch !== page.position.epoch) {
      window = { position: page.position, messages: [] };
      this.rooms.set(room, window);
    }
    if (page.earliest !== undefined) window.earliest = page.earliest;
    if (page.position.offset > window.position.offset) window.position = page.position;
    if (window.modified !== undefined && page.position.offset < window.modified) return;
    const newest = page.messages.at(-1);
    // Only the newest page joins the window (older pages are read once, from the database).
    if (newest && newest.offset === window.position.offset && window.messages.length === 0 && this.size > 0) {
      window.messages = page.messages.slice(-this.size);
    }
  }

  async invalidateEarliest(rooms: Iterable<string>): Promise<void> {
    for (const room of rooms) this.rooms.delete(room);
  }

  async forget(room: string): Promise<void> {
    this.rooms.delete(room);
  }

  async drop(room: string): Promise<void> {
    this.rooms.delete(room);
  }

  /** The messages `action` changed replace their copies (an action published late drops them instead). */
  private replace(action: ChatMessage, replaced: ChatMessage[]): void {
    let window = this.rooms.get(action.room);
    if (!window) {
      // No copy to replace, but a read in flight must not bring the old ones back: remember the action.
      if (!this.broker.subscribedRooms().has(action.room)) return;
      window = { position: { epoch: action.epoch, offset: action.offset }, messages: [] };
      this.rooms.set(action.room, window);
    }
    if (window.position.epoch !== action.epoch) return;
    const first = window.messages[0]?.offset ?? 0;
    const late = window.modified !== undefined && action.offset < window.modified;
    if (!late) window.modified = action.offset;
    for (const message of replaced) {
      if (message.room !== action.room || window.messages[message.offset - first]?.offset !== message.offset)
        continue;
      if (late) {
        window.messages = [];
        return;
      }
      window.messages[message.offset - first] = message;
    }
  }

  private add(message: ChatMessage): void {
    const window = this.rooms.get(message.room);
    // A room nobody here is in has no window: the next read fills it from the database.
    if (!window) return;
    if (window.position.epoch !== message.epoch) {
      this.rooms.delete(message.room);
      return;
    }
    if (message.offset !== window.position.offset + 1) {
      // A repeat (published again) or a gap: nothing to add, or the window no longer knows the room.
      if (message.offset > window.position.offset + 1) this.rooms.delete(message.room);
      return;
    }
    window.position = { epoch: message.epoch, offset: message.offset };
    // historySize 0: the window keeps positions only (slice(-0) would keep everything).
    if (this.size === 0) return;
    const last = window.messages.at(-1);
    if (last && last.offset !== message.offset - 1) window.messages = [];
    window.messages.push(message);
    // Trim in chunks, so that trimming costs O(1) per message on average.
    if (window.messages.length > this.size * 2) window.messages = window.messages.slice(-this.size);
  }
}
