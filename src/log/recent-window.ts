import type { ChatMessage, StreamPosition } from '../engine/types.js';
import type { HistoryPage, HistoryQuery } from './room-log.js';

/**
 * True for a log entry that changes an earlier message when committed (an action changes its target, a thread
 * reply its root): the windows replace their copies of what it changed, and a fill read before it is stale.
 */
export function changesEarlier(message: ChatMessage): boolean {
  return message.action !== undefined || message.thread !== undefined;
}

/** What a database read tells the window. */
export interface WindowFill {
  messages: ChatMessage[];
  position: StreamPosition;
  earliest?: number;
}

/**
 * The cache in front of the database: each room's most recent messages, and the bus that carries committed
 * messages to the nodes. Publishing a committed batch adds it to the window and hands it to every subscribed node
 * in one step. The window may lag the database or miss ranges (a Redis flush, a restart, publications of two
 * instances crossing); a read it cannot answer completely returns undefined and the caller reads the database.
 */
export interface RecentWindow {
  /**
   * Adds committed messages (offset order per room) to the window and delivers them to subscribed nodes.
   * `replaced`: earlier messages an action or thread reply among `messages` changed ({@link changesEarlier}) (committed with it); their copies in the
   * window are replaced, or dropped when a later action was published first (publications of two instances may
   * cross). A fill read before the room's newest published action adds no message, so a change is never undone
   * by a stale read.
   */
  publish(messages: ChatMessage[], replaced?: ChatMessage[]): Promise<void>;

  /**
   * A page of the room exactly as the database would return it, or undefined when the window cannot answer it
   * completely (then the caller reads the database and {@link fill}s the window).
   */
  read(room: string, query: HistoryQuery): Promise<HistoryPage | undefined>;

  /** The room's position as far as the window knows it (a committed position, possibly behind), or undefined. */
  position(room: string): Promise<StreamPosition | undefined>;

  /**
   * Stores what the database said: a page's messages, the position and, when the read told it, the earliest
   * offset (a plain position read does not). The page's messages replace the window's copies (they are as new as
   * the read); none is added when the window has published an action newer than the read's position.
   */
  fill(room: string, page: WindowFill): Promise<void>;

  /** The oldest messages of these rooms are gone from the database (retention): forget what earliest was. */
  invalidateEarliest(rooms: Iterable<string>): Promise<void>;

  /** Drops the room's window (the room was forgotten by the database). */
  forget(room: string): Promise<void>;

  /** Drops the room's window whatever it holds (an action on it could not be published: its copies are stale). */
  drop(room: string): Promise<void>;
}

/**
 * The page of `query` out of a window that holds `position` (everything up to it committed), `earliest` (or
 * undefined when unknown) and, by offset, the messages in `at` (any subset). Undefined when the window lacks a
 * message the page needs or cannot tell where the room's history starts: the caller reads the database instead.
 */
export function pageFromWindow(
  query: HistoryQuery,
  position: StreamPosition,
  earliest: number | undefined,
  at: (offset: number) => ChatMessage | undefined,
): HistoryPage | undefined {
  if (earliest === undefined) return undefined;
  const limit = Math.max(0, query.limit);
  const before = Math.min(position.offset + 1, query.before ?? Number.POSITIVE_INFINITY);
  // Resume reads the oldest `limit` after `after` (from earliest when that was pruned); a page, the newest.
  const from =
    query.after !== undefined ? Math.max(query.after + 1, earliest) : Math.max(before - limit, earliest);
  const to = query.after !== undefined ? Math.min(before - 1, from + limit - 1) : before - 1;
  const messages: ChatMessage[] = [];
  for (let offset = from; offset <= to; offset += 1) {
    const message = at(offset);
    if (!message) return undefined;
    messages.push(message);
  }
  return { messages, position, earliest };
}
