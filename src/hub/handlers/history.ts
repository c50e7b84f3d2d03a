import type { Engine } from '../../engine/engine.js';
import type { ChatMessage, StreamPosition } from '../../engine/types.js';
import { ReplyError } from '../../protocol/error-codes.js';
import { type Handler, requireJoined } from './context.js';
import { fitToBudget, replyBudget } from './reply-budget.js';

/** A page of a room's history as clients and the server API receive it. */
export interface HistoryReply {
  messages: ChatMessage[];
  position: StreamPosition;
  hasMore: boolean;
}

/**
 * Reads a page of messages, oldest first: the newest ones below `before` (default: the newest), or with `after`,
 * the oldest ones above it (to fill a gap); with both, the oldest ones between them; with `thread`, only that
 * thread's replies. `hasMore` says whether more lie beyond the page in the direction read. A page is cut short to
 * fit `budgetBytes` (see reply-budget.ts).
 */
export async function readHistory(
  engine: Engine,
  room: string,
  range: { before?: number; after?: number; limit: number; thread?: number },
  budgetBytes: number,
): Promise<HistoryReply> {
  const read = await engine.log.read(room, range);
  const keep = range.after !== undefined ? 'oldest' : 'newest';
  const page = { ...read, messages: fitToBudget(read.messages, budgetBytes, keep).messages };
  const first = page.messages[0];
  const last = page.messages.at(-1);
  const upper = range.before !== undefined ? range.before - 1 : page.position.offset;
  // A thread's replies have no contiguous offsets: a full page (or one cut short) may have more beyond it.
  const hasMore =
    range.thread !== undefined
      ? read.messages.length >= range.limit || page.messages.length < read.messages.length
      : range.after !== undefined
        ? last !== undefined && last.offset < upper
        : first !== undefined && first.offset > page.earliest;
  return { messages: page.messages, position: page.position, hasMore };
}

/** `history`: a page of a joined room's messages (see {@link readHistory}). */
export const history: Handler<'history'> = async (ctx, session, command) => {
  const room = requireJoined(session, command.room, ctx.config);
  const max = ctx.config.historyPageMax;
  const limit = command.limit ?? max;
  if (limit > max) throw new ReplyError('bad_range', `limit must be at most ${max}`);
  const range = { before: command.before, after: command.after, limit, thread: command.thread };
  const page = await readHistory(ctx.engine, room, range, replyBudget(ctx.config));
  session.reply({ type: 'history', ref: command.ref, room, ...page });
};
