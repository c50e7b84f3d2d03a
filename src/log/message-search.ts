import { searchWords } from '../../client/wire/search-words.js';
import type { ChatMessage } from '../engine/types.js';

/**
 * Finding messages by their words: the `search` command (docs/protocol.md, "Finding messages"). Kept where messages are kept
 * in full (memory, the database); a log in Redis streams has none (`--store redis`: `unsupported`).
 */
export interface MessageSearch {
  /**
   * The newest chat messages of `query.rooms` whose text, as it is now (edited; a deleted message has none), holds
   * every one of `query.words` as the start of one of its words, and which pass the query's filters
   * ({@link SearchFilter}), newest first (by time, then room, then offset), after `query.before` in that order, at
   * most `query.limit`. System events and actions' entries are not searched.
   * A store may stop looking before it found `limit` messages, to bound the work of one search: it then says where
   * ({@link SearchResult.stoppedAt}), and the next search goes on from there.
   * @throws EngineUnavailableError when the store cannot be reached
   */
  search(query: SearchQuery): Promise<SearchResult>;
}

/** What {@link MessageSearch.search} found. */
export interface SearchResult {
  /** The messages found, newest first. */
  messages: ChatMessage[];
  /**
   * Present when the store stopped looking before it found `limit` messages: every matching message from
   * `before` down to this position (included) is in `messages`, and older ones may follow (search on with this as
   * `before`). Absent: `messages` are all there are, or the first `limit` of them.
   */
  stoppedAt?: SearchCursor;
}

/**
 * What a found message must be besides holding the words: each given field narrows the search. A search needs
 * words or one of these.
 */
export interface SearchFilter {
  /** Sent by this user (id). */
  from?: string;
  /** Carrying files, or holding a link (`http://` or `https://` in its text, whatever the case). */
  has?: SearchHas;
  /** Sent at or after this time (ms since the Unix epoch). */
  since?: number;
  /** Sent before this time (ms since the Unix epoch). */
  until?: number;
}

/** What a found message must carry: files, or a link in its text. */
export type SearchHas = 'file' | 'link';

/** What {@link MessageSearch.search} looks for. */
export interface SearchQuery extends SearchFilter {
  /** The rooms to search (those the user may read). */
  rooms: readonly string[];
  /** Lower-case words of letters and digits ({@link searchWords}); none when the filters say what to find. */
  words: readonly string[];
  /** Only results after this one, in the order of results: the previous page's last. */
  before?: SearchCursor;
  limit: number;
}

/** Where a page of results ended: its last message's time, room and offset. */
export interface SearchCursor {
  ts: number;
  room: string;
  offset: number;
}

export {
  SEARCH_MAX_CURSOR_LENGTH,
  SEARCH_MAX_QUERY_LENGTH,
  SEARCH_MAX_WORD_LENGTH,
  SEARCH_MAX_WORDS,
  searchWords,
} from '../../client/wire/search-words.js';

/** A link, as a search's `has: 'link'` finds it (the databases test the same pattern). */
const LINK = /https?:\/\//i;

/** Whether a chat message passes the filters of a search (the memory store's matching). */
export function passesFilter(message: ChatMessage, filter: SearchFilter): boolean {
  if (filter.from !== undefined && message.from.id !== filter.from) return false;
  if (filter.since !== undefined && message.ts < filter.since) return false;
  if (filter.until !== undefined && message.ts >= filter.until) return false;
  if (filter.has === 'file' && !message.files?.length) return false;
  if (filter.has === 'link' && !LINK.test(message.text)) return false;
  return true;
}

/** Whether every word of the search starts one of the text's words (the memory store's matching); no words: yes. */
export function matchesWords(text: string, words: readonly string[]): boolean {
  if (words.length === 0) return true;
  if (text === '') return false;
  // Most texts lack a word altogether: found out without splitting them into words.
  const lower = text.toLowerCase();
  if (!words.every((word) => lower.includes(word))) return false;
  const own = searchWords(text);
  return words.every((word) => own.some((candidate) => candidate.startsWith(word)));
}

/** Whether `a` comes before `b` in the order of results (newest first: time, then room, then offset, descending). */
export function beforeInResults(a: SearchCursor, b: SearchCursor): boolean {
  if (a.ts !== b.ts) return a.ts > b.ts;
  if (a.room !== b.room) return a.room > b.room;
  return a.offset > b.offset;
}

/** A page's cursor as clients pass it back: `<ts>:<offset>:<room>` (a room name may hold colons: it comes last). */
export function encodeCursor(at: SearchCursor): string {
  return `${at.ts}:${at.offset}:${at.room}`;
}

/** The cursor a client passed back, or undefined when it is none. */
export function decodeCursor(text: string): SearchCursor | undefined {
  const match = /^(\d{1,16}):(\d{1,16}):(.+)$/.exec(text);
  if (!match) return undefined;
  const ts = Number(match[1]);
  const offset = Number(match[2]);
  if (!Number.isSafeInteger(ts) || !Number.isSafeInteger(offset)) return undefined;
  return { ts, room: match[3] as string, offset };
}
