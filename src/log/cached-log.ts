import type { MessageDraft, StreamPosition } from '../engine/types.js';
import type { DatabaseLog } from './database-log.js';
import type { MessageSearch, SearchQuery, SearchResult } from './message-search.js';
import type { RecentWindow } from './recent-window.js';
import type {
  ActionDraft,
  ActResult,
  AppendResult,
  HistoryPage,
  HistoryQuery,
  MessageEdits,
  ReadMarker,
  RoomLog,
  RoomOverview,
  ThreadMarker,
  UnreadCounts,
} from './room-log.js';

/** Settings of {@link CachedLog}. */
export interface CachedLogOptions {
  /**
   * True while the room has members anywhere in the cluster (undefined on a single node, where the hub knows):
   * an empty room is forgotten only when nobody is in it.
   */
  roomInUse?: (room: string) => Promise<boolean>;
  /** Counts history reads answered by the window and by the database (for metrics). */
  reads: { window: number; database: number };
}

/**
 * The room log of a node with a database: appends go to the database (committed in batches, then published
 * through the recent window), reads are answered by the window when it holds the whole page, else by the
 * database, whose answer then fills the window. Identical database reads in flight at once are merged into one
 * (5,000 clients resuming a room after an outage cost one query per distinct page, not 5,000).
 */
export class CachedLog implements RoomLog, MessageSearch {
  private readonly inFlight = new Map<string, Promise<HistoryPage>>();
  private readonly positions = new Map<string, Promise<StreamPosition>>();
  /**
   * Rooms where an action was committed but its publication failed: the window may hold the message as it was
   * (an edited or deleted text). Read from the database until the window is dropped.
   */
  private readonly stale = new Set<string>();

  constructor(
    private readonly store: DatabaseLog,
    private readonly window: RecentWindow,
    private readonly options: CachedLogOptions,
  ) {}

  append(draft: MessageDraft): Promise<AppendResult> {
    return this.store.append(draft);
  }

  /** In the database: the window holds too little of a room to search it. */
  search(query: SearchQuery): Promise<SearchResult> {
    return this.store.search(query);
  }

  /** In the database; the changed messages then replace their copies in the window (see RecentWindow.publish). */
  act(draft: ActionDraft): Promise<ActResult> {
    return this.store.act(draft);
  }

  /** In the database: the window keeps messages as they are now, not what they were. */
  edits(room: string, offset: number, max: number): Promise<MessageEdits | undefined> {
    return this.store.edits(room, offset, max);
  }

  /** Marks rooms whose window may be stale (see {@link stale}); dropped at the next chance. */
  markStale(rooms: Iterable<string>): void {
    for (const room of rooms) this.stale.add(room);
  }

  /** Tries to drop the windows of stale rooms (Redis is answering again). */
  async dropStale(): Promise<void> {
    for (const room of [...this.stale]) {
      await this.window.drop(room).then(
        () => this.stale.delete(room),
        () => {},
      );
    }
  }

  /** From the database's counters. */
  unread(markers: ReadonlyArray<ReadMarker>): Promise<Map<string, UnreadCounts>> {
    return this.store.unread(markers);
  }

  /** From the database's thread index (a thread's replies are not the window's). */
  threadUnread(markers: ReadonlyArray<ThreadMarker>): Promise<Map<string, UnreadCounts>> {
    return this.store.threadUnread(markers);
  }

  async read(room: string, query: HistoryQuery): Promise<HistoryPage> {
    // A thread's replies are scattered through the room's log: one range of the database's index, never the window's.
    if (query.thread !== undefined) {
      this.options.reads.database += 1;
      return this.store.read(room, query);
    }
    if (this.stale.size > 0 && this.stale.has(room)) await this.dropStale();
    const cached = this.stale.has(room)
      ? undefined
      : await this.window.read(room, query).catch(() => undefined);
    if (cached) {
      this.options.reads.window += 1;
      return cached;
    }
    const key = `${room}\u0000${query.after ?? ''}\u0000${query.before ?? ''}\u0000${query.limit}`;
    let pending = this.inFlight.get(key);
    if (!pending) {
      this.options.reads.database += 1;
      pending = this.store.read(room, query).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
      pending.then(
        (page) => this.window.fill(room, page).catch(() => {}),
        () => {},
      );
    }
    return pending;
  }

  /** From the database: one statement for every room, where the window would be one read per room. */
  overview(markers: ReadonlyArray<ReadMarker>): Promise<Map<string, RoomOverview>> {
    return this.store.overview(markers);
  }

  async position(room: string): Promise<StreamPosition> {
    const known = await this.window.position(room).catch(() => undefined);
    if (known) return known;
    let pending = this.positions.get(room);
    if (!pending) {
      pending = this.store.position(room).finally(() => this.positions.delete(room));
      this.positions.set(room, pending);
      pending.then(
        (position) => this.window.fill(room, { messages: [], position }).catch(() => {}),
        () => {},
      );
    }
    return pending;
  }

  async forget(room: string): Promise<void> {
    // Only a room without messages is forgotten by the database: one the window knows has some costs no statement
    // (clients coming and going in a room with history would otherwise cost one each time its last one leaves).
    const known = await this.window.position(room).catch(() => undefined);
    await this.window.forget(room);
    if (known && known.offset > 0) return;
    if (this.options.roomInUse && (await this.options.roomInUse(room))) return;
    await this.store.forget(room);
  }

  /** Deletes messages older than `olderThanTs` (retention) and tells the window where those rooms now start. */
  async prune(olderThanTs: number, perStatement?: number): Promise<number> {
    const { deleted, rooms } = await this.store.prune(olderThanTs, perStatement);
    await this.window.invalidateEarliest(rooms);
    return deleted;
  }
}
