import type { ChatMessage } from '../../engine/types.js';
import {
  decodeCursor,
  encodeCursor,
  SEARCH_MAX_WORD_LENGTH,
  SEARCH_MAX_WORDS,
  searchWords,
} from '../../log/message-search.js';
import { ReplyError } from '../../protocol/error-codes.js';
import { checkRoomName } from '../../protocol/rules.js';
import { callerOf, type Handler, roomsOf } from './context.js';
import { fitToBudget, replyBudget } from './reply-budget.js';

/** Results a page holds when the client asks for no number. */
const DEFAULT_LIMIT = 20;

/** The words of a search as the store takes them, or `bad_request`. */
function wordsOf(query: string): string[] {
  const words = searchWords(query).map((word) => Array.from(word).slice(0, SEARCH_MAX_WORD_LENGTH).join(''));
  if (words.length === 0) throw new ReplyError('bad_request', 'a search needs a word of letters or digits');
  if (words.length > SEARCH_MAX_WORDS) {
    throw new ReplyError('bad_request', `a search takes at most ${SEARCH_MAX_WORDS} words`);
  }
  return words;
}

/**
 * `search`: messages found by their words in one room the user may read (a stored room they belong to, or any room
 * this connection joined), or in every room they belong to; newest first, a page cut to the reply budget.
 */
export const search: Handler<'search'> = async (ctx, session, command) => {
  const service = roomsOf(ctx);
  const finder = ctx.engine.search;
  if (!finder) throw new ReplyError('unsupported', 'this server keeps no searchable messages');
  const words = wordsOf(command.query);
  const max = ctx.config.historyPageMax;
  const limit = command.limit ?? Math.min(DEFAULT_LIMIT, max);
  if (limit > max) throw new ReplyError('bad_range', `limit must be at most ${max}`);
  const before = command.before === undefined ? undefined : decodeCursor(command.before);
  if (command.before !== undefined && !before) {
    throw new ReplyError('bad_request', "before must be a search's next, as it gave it");
  }
  let rooms: string[];
  if (command.room === undefined) rooms = await service.searchable(callerOf(session));
  else {
    checkRoomName(command.room, ctx.config);
    // A room joined on this connection may be read (an open channel too); any other must be one the user may read.
    rooms = session.rooms.has(command.room)
      ? [command.room]
      : await service.searchable(callerOf(session), command.room);
  }
  // One more than the page, to know whether another follows.
  const found =
    rooms.length === 0
      ? []
      : await finder.search({ rooms, words, limit: limit + 1, ...(before ? { before } : {}) });
  const page = fitToBudget(found.slice(0, limit), replyBudget(ctx.config), 'oldest');
  const last = page.messages.at(-1) as ChatMessage | undefined;
  const more = page.cut || found.length > limit;
  session.reply({
    type: 'search',
    ref: command.ref,
    messages: page.messages,
    ...(more && last ? { next: encodeCursor(last) } : {}),
  });
};
