import type { ChatMessage, StreamPosition } from '../engine/types.js';
import type { RedisKeys } from '../redis/keys.js';
import type { RedisLink } from '../redis/link.js';
import { windowFillScript, windowPublishScript, windowReadScript } from '../redis/scripts.js';
import { changesEarlier, pageFromWindow, type RecentWindow, type WindowFill } from './recent-window.js';
import type { HistoryPage, HistoryQuery } from './room-log.js';

/** Settings of {@link RedisWindow}. */
export interface RedisWindowOptions {
  /** Messages kept per room (0: none; Redis then only carries them). */
  size: number;
  /** A room's window expires after this long without a message. */
  ttlMs: number;
}

/**
 * The recent window of a cluster, in Redis, in front of the database: per room a sorted set of message JSON
 * scored by offset (publications of two instances may arrive out of order, and a sorted set takes them in any
 * order) next to a meta hash. Publishing a committed batch is one script (one per room on a cluster): added to
 * the windows, trimmed, and published on the rooms' channels. A read checks that the window holds every message of the page; otherwise the
 * database answers, and the page read there fills the window (so 5,000 clients resuming one room after a flush
 * cost one database read, not 5,000).
 */
export class RedisWindow implements RecentWindow {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    private readonly options: RedisWindowOptions,
  ) {}

  async publish(messages: ChatMessage[], replaced: ChatMessage[] = []): Promise<void> {
    const byRoom = new Map<string, ChatMessage[]>();
    for (const message of messages) {
      const list = byRoom.get(message.room);
      if (list) list.push(message);
      else byRoom.set(message.room, [message]);
    }
    // A single Redis takes the whole batch in one call; a cluster one call per room (one slot per call).
    const calls =
      this.link.publishCommand === 'PUBLISH' ? [[...byRoom.keys()]] : [...byRoom.keys()].map((r) => [r]);
    await Promise.all(
      calls.map((rooms) => {
        const keys: string[] = [];
        const args: Array<string | number> = [
          this.link.publishCommand,
          this.options.size,
          this.options.ttlMs,
        ];
        for (const room of rooms) {
          const list = byRoom.get(room) as ChatMessage[];
          keys.push(this.keys.windowMeta(room), this.keys.window(room), this.keys.channel(room));
          args.push(list.length);
          for (const message of list) args.push(message.offset, message.epoch, JSON.stringify(message));
          const action = list.reduce(
            (newest, m) => (changesEarlier(m) ? Math.max(newest, m.offset) : newest),
            0,
          );
          const changed = action > 0 ? replaced.filter((m) => m.room === room) : [];
          args.push(action, changed.length);
          for (const message of changed) args.push(message.offset, JSON.stringify(message));
        }
        return this.link.run(windowPublishScript, keys, args);
      }),
    );
  }

  async read(room: string, query: HistoryQuery): Promise<HistoryPage | undefined> {
    const reply = (await this.link.run(
      windowReadScript,
      [this.keys.windowMeta(room), this.keys.window(room)],
      [query.after ?? '', query.before ?? '', Math.max(0, query.limit)],
    )) as string[];
    if (reply.length < 3) return undefined;
    const [epoch, offset, earliest, ...entries] = reply as [string, string, string, ...string[]];
    const byOffset = new Map<number, ChatMessage>();
    for (const json of entries) {
      const message = JSON.parse(json) as ChatMessage;
      byOffset.set(message.offset, message);
    }
    const position = { epoch, offset: Number(offset) };
    return pageFromWindow(query, position, Number(earliest), (at) => byOffset.get(at));
  }

  async position(room: string): Promise<StreamPosition | undefined> {
    const [epoch, offset] = (await this.link.command('HMGET', this.keys.windowMeta(room), 'e', 'o')) as [
      string | null,
      string | null,
    ];
    return epoch === null || offset === null ? undefined : { epoch, offset: Number(offset) };
  }

  async fill(room: string, page: WindowFill): Promise<void> {
    // An empty room is not cached: its epoch is the database's to keep or forget.
    if (page.position.offset === 0) return;
    const args: Array<string | number> = [
      page.position.epoch,
      page.position.offset,
      page.earliest ?? '',
      this.options.size,
      this.options.ttlMs,
    ];
    for (const message of page.messages) args.push(message.offset, JSON.stringify(message));
    await this.link.run(windowFillScript, [this.keys.windowMeta(room), this.keys.window(room)], args);
  }

  async invalidateEarliest(rooms: Iterable<string>): Promise<void> {
    await Promise.all([...rooms].map((room) => this.link.command('HDEL', this.keys.windowMeta(room), 'f')));
  }

  async drop(room: string): Promise<void> {
    // Both keys of a room share its hash slot.
    await this.link.command('DEL', this.keys.windowMeta(room), this.keys.window(room));
  }

  async forget(): Promise<void> {
    // Rooms with messages keep their window until it expires; empty rooms never had one.
  }
}
