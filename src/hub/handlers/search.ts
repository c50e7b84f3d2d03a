import { isUserId } from '../../../client/wire/rules.js';
import type { Config } from '../../config/config.js';
import type { Engine } from '../../engine/engine.js';
import type { ChatMessage } from '../../engine/types.js';
import {
  decodeCursor,
  encodeCursor,
  type MessageSearch,
  SEARCH_MAX_CURSOR_LENGTH,
  SEARCH_MAX_QUERY_LENGTH,
  SEARCH_MAX_WORD_LENGTH,
  SEARCH_MAX_WORDS,
  type SearchFilter,
  type SearchResult,
  searchWords,
} from '../../log/message-search.js';
import { ReplyError } from '../../protocol/error-codes.js';
import { checkRoomName } from '../../protocol/rules.js';
import { callerOf, type Handler, roomsOf } from './context.js';
import { takePerMinute } from './per-minute.js';
import { fitToBudget, replyBudget } from './reply-budget.js';

/** Results a page holds when the client asks for no number. */
const DEFAULT_LIMIT = 20;

/** The words of a search as the store takes them (none when the filters say what to find), or `bad_request`. */
function wordsOf(query: string, filter: SearchFilter): string[] {
  const words = searchWords(query).map((word) => Array.from(word).slice(0, SEARCH_MAX_WORD_LENGTH).join(''));
  const filtered = Object.values(filter).some((value) => value !== undefined);
  if (words.length === 0 && !filtered) {
    throw new ReplyError('bad_request', 'a search needs a word of letters or digits, or a filter');
  }
  if (words.length > SEARCH_MAX_WORDS) {
    throw new ReplyError('bad_request', `a search takes at most ${SEARCH_MAX_WORDS} words`);
  }
  return words;
}

/** The store's search, or `unsupported` (`--store redis` keeps history in Redis streams, which nothing indexes). */
export function searchOf(engine: Engine): MessageSearch {
  if (!engine.search) {
    throw new ReplyError(
      'unsupported',
      'this server cannot search messages (--store redis keeps no index of them)',
    );
  }
  return engine.search;
}

/**
 * A search as clients and the server API ask it: the words (none: the filters alone), the filters, where the last
 * page ended, how many.
 */
export interface SearchRequest extends SearchFilter {
  query?: string;
  before?: string;
  limit?: number;
}

/** The filters of a request, only those given (checked: `bad_request`). */
function filterOf(request: SearchRequest): SearchFilter {
  const { from, has, since, until } = request;
  if (from !== undefined && !isUserId(from)) throw new ReplyError('bad_request', 'from must be a user id');
  if (has !== undefined && has !== 'file' && has !== 'link') {
    throw new ReplyError('bad_request', "has must be 'file' or 'link'");
  }
  for (const [name, time] of [
    ['since', since],
    ['until', until],
  ] as const) {
    if (time !== undefined && !(Number.isSafeInteger(time) && time >= 0)) {
      throw new ReplyError('bad_request', `${name} must be a time in ms since the Unix epoch`);
    }
  }
  return {
    ...(from !== undefined ? { from } : {}),
    ...(has !== undefined ? { has } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
  };
}

/**
 * A page of results: newest first; `next` while more may follow (the `before` of the next page). A page may hold
 * fewer than were asked for, none even, and still have a `next`: the store stopped looking (see
 * {@link SearchResult.stoppedAt}).
 */
export interface SearchReply {
  messages: ChatMessage[];
  next?: string;
}

/**
 * A page of the messages of `rooms` that hold the request's words (docs/protocol.md, "Finding messages"): the query
 * and the cursor checked (`bad_request`; the protocol's schema bounds them too, the server API by this alone), the
 * page at most `historyPageMax` (`bad_range`), cut to the reply budget. The caller has decided that the rooms may be
 * read, and found the store's search ({@link searchOf}).
 */
export async function searchPage(
  finder: MessageSearch,
  config: Config,
  rooms: readonly string[],
  request: SearchRequest,
): Promise<SearchReply> {
  const query = request.query ?? '';
  if (query.length > SEARCH_MAX_QUERY_LENGTH) {
    throw new ReplyError('bad_request', `a search is at most ${SEARCH_MAX_QUERY_LENGTH} characters`);
  }
  const filter = filterOf(request);
  const words = wordsOf(query, filter);
  const max = config.historyPageMax;
  const limit = request.limit ?? Math.min(DEFAULT_LIMIT, max);
  if (limit > max) throw new ReplyError('bad_range', `limit must be at most ${max}`);
  const cursor = request.before;
  const before =
    cursor === undefined || cursor.length > SEARCH_MAX_CURSOR_LENGTH ? undefined : decodeCursor(cursor);
  if (request.before !== undefined && !before) {
    throw new ReplyError('bad_request', "before must be a search's next, as it gave it");
  }
  // One more than the page, to know whether another follows.
  const found: SearchResult =
    rooms.length === 0
      ? { messages: [] }
      : await finder.search({ rooms, words, ...filter, limit: limit + 1, ...(before ? { before } : {}) });
  const page = fitToBudget(found.messages.slice(0, limit), replyBudget(config), 'oldest');
  const last = page.messages.at(-1);
  if (last && (page.cut || found.messages.length > limit))
    return { messages: page.messages, next: encodeCursor(last) };
  // The store stopped looking before it filled the page (its work per search is bounded): on from where it stopped.
  if (found.stoppedAt) return { messages: page.messages, next: encodeCursor(found.stoppedAt) };
  return { messages: page.messages };
}

/**
 * `search`: messages found by their words in one room the user may read (a stored room they belong to, or any room
 * this connection joined), or in every room they belong to and every room this connection joined (open channels
 * have no members: the chat's default room is one) (see {@link searchPage}).
 */
export const search: Handler<'search'> = async (ctx, session, command) => {
  const finder = searchOf(ctx.engine);
  const service = roomsOf(ctx);
  takePerMinute(ctx, session, 'searchRate', ctx.config.searchesPerMin, 'searches');
  let rooms: string[];
  if (command.room === undefined) {
    rooms = [...new Set([...(await service.searchable(callerOf(session))), ...session.rooms])];
  } else {
    checkRoomName(command.room, ctx.config);
    // A room joined on this connection may be read (an open channel too); any other must be one the user may read.
    rooms = session.rooms.has(command.room)
      ? [command.room]
      : await service.searchable(callerOf(session), command.room);
  }
  const { type: _type, ref: _ref, room: _room, ...request } = command;
  const page = await searchPage(finder, ctx.config, rooms, request);
  session.reply({ type: 'search', ref: command.ref, ...page });
};
