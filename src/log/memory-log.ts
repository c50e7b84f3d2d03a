import { applyAction, applyThreadReply, reactionsOf } from '../../client/wire/actions.js';
import { mentionsUser } from '../../client/wire/domain.js';
import type { MemoryBroker } from '../broker/memory-broker.js';
import { RateLimitError } from '../engine/engine.js';
import {
  type ChatMessage,
  type MessageDraft,
  rateKeyOf,
  type StreamPosition,
  storedMessage,
} from '../engine/types.js';
import type { MemoryMessageRate } from '../ratelimit/memory-message-rate.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import { checkThreadRoot, decideAction, entryText } from './message-actions.js';
import {
  beforeInResults,
  type MessageSearch,
  matchesWords,
  passesFilter,
  type SearchQuery,
  type SearchResult,
} from './message-search.js';
import {
  type ActionDraft,
  type ActResult,
  type AppendResult,
  type HistoryPage,
  type HistoryQuery,
  type MessageEdits,
  markerKey,
  type ReadMarker,
  type RoomLog,
  type RoomOverview,
  type ThreadMarker,
  threadMarkerKey,
  type UnreadCounts,
} from './room-log.js';

/** Settings of {@link MemoryLog}. */
export interface MemoryLogOptions {
  historySize: number;
  historyTtlMs: number;
  idempotencyWindowMs: number;
  clock: Clock;
  ids: IdGenerator;
}

interface RoomStream {
  epoch: string;
  offset: number;
  /** Retained messages, oldest first, starting at index `start` (dropping from the front is O(1)). */
  messages: ChatMessage[];
  start: number;
  lastWrite: number;
  /** `${userId}\0${cid}` → the published message and when the key is forgotten. */
  published: Map<string, { message: ChatMessage; expiresAt: number }>;
  /** Who reacted with what, by message offset (every user; a message shows the first few). */
  reactions: Map<number, Map<string, string[]>>;
  /** The first text of each edited message still retained, by offset (its edits' entries hold the later ones). */
  originals: Map<number, string>;
}

/** Most messages one search of the memory store looks at (see {@link MemoryLog.search}). */
export const MEMORY_SEARCH_MAX_EXAMINED = 100_000;

/**
 * The room log of a single node, in process memory: the last `historySize` messages of each room, forgotten
 * `historyTtlMs` after the room's last message. Appending stores and delivers in one synchronous step (through the
 * memory broker's local dispatch), so single-node delivery runs through the same path as cluster delivery.
 */
export class MemoryLog implements RoomLog, MessageSearch {
  private readonly rooms = new Map<string, RoomStream>();
  private lastSweep = 0;

  /**
   * @param broker delivers appended messages to the node's subscribed rooms
   * @param rate the per-user message rate (undefined: no limit)
   */
  constructor(
    private readonly options: MemoryLogOptions,
    private readonly broker: MemoryBroker,
    private readonly rate?: MemoryMessageRate,
  ) {}

  /** Rooms with a stream in memory. */
  get storedRooms(): number {
    return this.rooms.size;
  }

  /** One node holds every member: the caller (the hub) knows the room has none left. */
  async forget(room: string): Promise<void> {
    if (this.rooms.get(room)?.offset === 0) this.rooms.delete(room);
  }

  async append(draft: MessageDraft): Promise<AppendResult> {
    const result = this.store(draft);
    if (!result.duplicate)
      this.broker.deliver({ kind: 'message', room: draft.room, message: result.message });
    return result;
  }

  /** Stores the message: the duplicate check first, then the sender's rate (a retry never costs a token). */
  private store(draft: MessageDraft): AppendResult {
    const now = this.options.clock.now();
    this.sweep(now);
    const stream = this.stream(draft.room, now);
    const key = `${draft.from.id}\0${draft.cid}`;
    const seen = stream.published.get(key);
    if (seen && seen.expiresAt > now) return { message: seen.message, duplicate: true };
    const rootAt = draft.thread === undefined ? undefined : this.indexOf(stream, draft.thread);
    if (draft.thread !== undefined)
      checkThreadRoot(rootAt === undefined ? undefined : stream.messages[rootAt]);
    const rateKey = rateKeyOf(draft);
    const wait = rateKey === undefined ? 0 : (this.rate?.takeNow(rateKey) ?? 0);
    if (wait > 0) throw new RateLimitError(wait);

    stream.offset += 1;
    stream.lastWrite = now;
    const message = storedMessage(draft, stream);
    const root =
      rootAt === undefined ? undefined : applyThreadReply(stream.messages[rootAt] as ChatMessage, message);
    if (root && rootAt !== undefined) stream.messages[rootAt] = root;
    // Delete first so that Map order stays expiry order (sweep stops at the first live key).
    stream.published.delete(key);
    stream.published.set(key, { message, expiresAt: now + this.options.idempotencyWindowMs });
    if (this.options.historySize > 0) {
      stream.messages.push(message);
      this.trim(stream);
    }
    return root ? { message, duplicate: false, root } : { message, duplicate: false };
  }

  async act(draft: ActionDraft): Promise<ActResult> {
    const now = this.options.clock.now();
    this.sweep(now);
    const stream = this.stream(draft.room, now);
    const at = this.indexOf(stream, draft.action.target);
    const target = at === undefined ? undefined : stream.messages[at];
    const action = draft.action;
    const byEmoji = stream.reactions.get(action.target);
    const users = action.type === 'react' ? byEmoji?.get(action.emoji) : undefined;
    const changes = decideAction(draft, target, {
      mine: users?.includes(draft.from.id) ?? false,
      used: (users?.length ?? 0) > 0,
      distinct: byEmoji?.size ?? 0,
    });
    if (!changes || !target || at === undefined) return { target: target as ChatMessage };
    const wait = this.rate?.takeNow(draft.from.id) ?? 0;
    if (wait > 0) throw new RateLimitError(wait);

    stream.offset += 1;
    stream.lastWrite = now;
    const entry: ChatMessage = {
      room: draft.room,
      id: draft.id,
      offset: stream.offset,
      epoch: stream.epoch,
      from: draft.from,
      text: entryText(draft),
      ts: draft.ts,
      cid: `act:${draft.id}`,
      action,
    };
    let changed = applyAction(target, entry);
    if (action.type === 'react') {
      const list = this.reactionList(stream, action.target, action.emoji);
      const byEmoji = stream.reactions.get(action.target) as Map<string, string[]>;
      if (action.add) list.push(draft.from.id);
      else list.splice(list.indexOf(draft.from.id), 1);
      if (list.length === 0) byEmoji.delete(action.emoji);
      if (byEmoji.size === 0) stream.reactions.delete(action.target);
      const { reactions: _old, rev, ...rest } = changed;
      const reactions = reactionsOf(byEmoji);
      changed = reactions ? { ...rest, reactions, rev: rev as number } : { ...rest, rev: rev as number };
    }
    if (action.type === 'edit' && !stream.originals.has(action.target))
      stream.originals.set(action.target, target.text);
    stream.messages[at] = changed;
    if (action.type === 'delete') {
      stream.reactions.delete(action.target);
      stream.originals.delete(action.target);
      // The text of its earlier edits goes too.
      for (let i = at + 1; i < stream.messages.length; i += 1) {
        const later = stream.messages[i] as ChatMessage;
        if (later.action?.type === 'edit' && later.action.target === action.target)
          stream.messages[i] = { ...later, text: '' };
      }
    }
    if (this.options.historySize > 0) {
      stream.messages.push(entry);
      this.trim(stream);
    }
    this.broker.deliver({ kind: 'message', room: draft.room, message: entry });
    return { entry, target: changed };
  }

  /** From the retained stream: the message's first text (kept at its first edit) and its edits' entries after it. */
  async edits(room: string, offset: number, max: number): Promise<MessageEdits | undefined> {
    const stream = this.rooms.get(room);
    const at = stream ? this.indexOf(stream, offset) : undefined;
    if (!stream || at === undefined) return undefined;
    const message = stream.messages[at] as ChatMessage;
    if (message.event || message.action) return undefined;
    if (message.deleted) return { versions: [] };
    const versions = [{ text: stream.originals.get(offset) ?? message.text, ts: message.ts }];
    // Entries come after their target: while it is retained, so are they.
    for (let i = at + 1; i < stream.messages.length; i += 1) {
      const entry = stream.messages[i] as ChatMessage;
      if (entry.action?.type === 'edit' && entry.action.target === offset)
        versions.push({ text: entry.text, ts: entry.ts });
    }
    // Held by the stream anyway (at most historySize entries): the newest `max` are answered.
    return versions.length > max ? { versions: versions.slice(-max), partial: true } : { versions };
  }

  /** The users who reacted to a message with `emoji` (created empty, in first-use order of the emoji). */
  private reactionList(stream: RoomStream, offset: number, emoji: string): string[] {
    let byEmoji = stream.reactions.get(offset);
    if (!byEmoji) {
      byEmoji = new Map();
      stream.reactions.set(offset, byEmoji);
    }
    let list = byEmoji.get(emoji);
    if (!list) {
      list = [];
      byEmoji.set(emoji, list);
    }
    return list;
  }

  /** Where the message at `offset` is in the stream's array, when it is still retained. */
  private indexOf(stream: RoomStream, offset: number): number | undefined {
    const retained = stream.messages.length - stream.start;
    const earliest = stream.offset - retained + 1;
    if (!Number.isInteger(offset) || offset < earliest || offset > stream.offset) return undefined;
    return stream.start + (offset - earliest);
  }

  async read(room: string, query: HistoryQuery): Promise<HistoryPage> {
    const now = this.options.clock.now();
    const stream = this.stream(room, now);
    const retained = stream.messages.length - stream.start;
    const earliest = retained > 0 ? stream.offset - retained + 1 : stream.offset + 1;
    if (query.thread !== undefined) return this.readThread(stream, query, earliest);
    // Offsets are contiguous, so bounds map to array indexes directly.
    const indexOf = (offset: number) => stream.start + (offset - earliest);
    let lo = stream.start;
    let hi = stream.messages.length;
    if (query.after !== undefined) lo = Math.max(lo, indexOf(query.after + 1));
    if (query.before !== undefined) hi = Math.min(hi, indexOf(query.before));
    if (hi < lo) hi = lo;
    if (hi - lo > query.limit) {
      if (query.after !== undefined) hi = lo + query.limit;
      else lo = hi - query.limit;
    }
    return {
      messages: stream.messages.slice(lo, hi),
      position: { offset: stream.offset, epoch: stream.epoch },
      earliest,
    };
  }

  /** A thread's replies among the retained messages (at most `historySize` looked at). */
  private readThread(stream: RoomStream, query: HistoryQuery, earliest: number): HistoryPage {
    const messages: ChatMessage[] = [];
    const oldestFirst = query.after !== undefined;
    const from = oldestFirst ? stream.start : stream.messages.length - 1;
    for (let i = from; i >= stream.start && i < stream.messages.length && messages.length < query.limit; ) {
      const message = stream.messages[i] as ChatMessage;
      const inRange =
        (query.after === undefined || message.offset > query.after) &&
        (query.before === undefined || message.offset < query.before);
      if (inRange && message.thread === query.thread) messages.push(message);
      i += oldestFirst ? 1 : -1;
    }
    if (!oldestFirst) messages.reverse();
    return { messages, position: { offset: stream.offset, epoch: stream.epoch }, earliest };
  }

  /**
   * Looks through the retained messages of each room, newest first (at most `historySize` per room), and at most
   * {@link MEMORY_SEARCH_MAX_EXAMINED} messages in all: a search runs on the event loop, which a user in a thousand
   * full rooms would otherwise hold for a million messages.
   */
  async search(query: SearchQuery): Promise<SearchResult> {
    const found: ChatMessage[] = [];
    let budget = MEMORY_SEARCH_MAX_EXAMINED;
    for (const room of new Set(query.rooms)) {
      const stream = this.rooms.get(room);
      if (!stream) continue;
      // A room's newest `limit` matches are all it can add to the page.
      let taken = 0;
      for (
        let i = stream.messages.length - 1;
        i >= stream.start && taken < query.limit && budget > 0;
        i -= 1
      ) {
        budget -= 1;
        const message = stream.messages[i] as ChatMessage;
        if (message.event || message.action || message.deleted) continue;
        if (query.before && !beforeInResults(query.before, message)) continue;
        if (!passesFilter(message, query) || !matchesWords(message.text, query.words)) continue;
        found.push(message);
        taken += 1;
      }
    }
    found.sort((a, b) => (beforeInResults(a, b) ? -1 : 1));
    return { messages: found.slice(0, query.limit) };
  }

  /** Counted by looking at the retained messages after each marker (at most `historySize` per room). */
  async unread(markers: ReadonlyArray<ReadMarker>): Promise<Map<string, UnreadCounts>> {
    const counts = new Map<string, UnreadCounts>();
    for (const { user, room, after } of markers) {
      const stream = this.rooms.get(room);
      if (!stream || stream.offset === 0) continue;
      let unread = 0;
      let mentions = 0;
      for (let i = stream.messages.length - 1; i >= stream.start; i -= 1) {
        const message = stream.messages[i] as ChatMessage;
        if (message.offset <= after) break;
        if (message.action || message.event) continue;
        if (message.thread === undefined || message.broadcast) unread += 1;
        // A deleted message mentions nobody any more (the database drops its mention rows).
        if (!message.deleted && mentionsUser(message, user)) mentions += 1;
      }
      counts.set(markerKey(room, user), { unread, mentions });
    }
    return counts;
  }

  /** Counted by looking at the retained messages after each marker, as {@link unread}. */
  async threadUnread(markers: ReadonlyArray<ThreadMarker>): Promise<Map<string, UnreadCounts>> {
    const counts = new Map<string, UnreadCounts>();
    for (const { user, room, thread, after } of markers) {
      const stream = this.rooms.get(room);
      let unread = 0;
      let mentions = 0;
      for (let i = (stream?.messages.length ?? 0) - 1; stream && i >= stream.start; i -= 1) {
        const message = stream.messages[i] as ChatMessage;
        if (message.offset <= after) break;
        if (message.thread !== thread) continue;
        unread += 1;
        // A deleted message mentions nobody any more (the database drops its mention rows).
        if (!message.deleted && mentionsUser(message, user)) mentions += 1;
      }
      counts.set(threadMarkerKey(room, thread, user), { unread, mentions });
    }
    return counts;
  }

  async overview(markers: ReadonlyArray<ReadMarker>): Promise<Map<string, RoomOverview>> {
    const counts = await this.unread(markers);
    const found = new Map<string, RoomOverview>();
    for (const { room, user } of markers) {
      const stream = this.rooms.get(room);
      const count = counts.get(markerKey(room, user));
      if (!stream || !count) continue;
      const overview: RoomOverview = { ...count };
      // The newest message that is no action on another and no thread reply only (those are no preview).
      for (let i = stream.messages.length - 1; i >= stream.start; i -= 1) {
        const message = stream.messages[i] as ChatMessage;
        if (message.action || (message.thread !== undefined && !message.broadcast)) continue;
        overview.last = message;
        break;
      }
      found.set(room, overview);
    }
    return found;
  }

  async position(room: string): Promise<StreamPosition> {
    const stream = this.stream(room, this.options.clock.now());
    return { offset: stream.offset, epoch: stream.epoch };
  }

  private stream(room: string, now: number): RoomStream {
    let stream = this.rooms.get(room);
    if (!stream) {
      stream = {
        epoch: this.options.ids.epoch(),
        offset: 0,
        messages: [],
        start: 0,
        lastWrite: now,
        published: new Map(),
        reactions: new Map(),
        originals: new Map(),
      };
      this.rooms.set(room, stream);
    }
    return stream;
  }

  private trim(stream: RoomStream): void {
    const excess = stream.messages.length - stream.start - this.options.historySize;
    if (excess > 0) stream.start += excess;
    // Compact once the dropped prefix dominates, keeping appends amortised O(1).
    if (stream.start > 1024 && stream.start > stream.messages.length / 2) {
      stream.messages = stream.messages.slice(stream.start);
      stream.start = 0;
    }
  }

  /**
   * Forgets idle rooms, expired idempotency keys and the first texts of messages no longer retained (here, not at
   * each append: a room full of edited messages would cost every append a pass over them); at most once a second.
   */
  private sweep(now: number): void {
    if (now - this.lastSweep < 1000) return;
    this.lastSweep = now;
    for (const [room, stream] of this.rooms) {
      if (now - stream.lastWrite > this.options.historyTtlMs) {
        this.rooms.delete(room);
        continue;
      }
      if (stream.originals.size > 0) {
        const earliest = stream.offset - (stream.messages.length - stream.start) + 1;
        for (const offset of stream.originals.keys()) if (offset < earliest) stream.originals.delete(offset);
      }
      for (const [key, entry] of stream.published) {
        if (entry.expiresAt > now) break;
        stream.published.delete(key);
      }
      // Reactions of messages no longer retained.
      const earliest = stream.offset - (stream.messages.length - stream.start) + 1;
      for (const offset of stream.reactions.keys()) if (offset < earliest) stream.reactions.delete(offset);
    }
  }
}
