import { ReplyError } from '../../protocol/error-codes.js';
import { type Handler, requireJoined } from './context.js';

/**
 * `history`: a page of messages, oldest first: the newest ones below `before` (default: the newest), or with
 * `after`, the oldest ones above it (to fill a gap). `hasMore` says whether more lie beyond the page in the
 * direction read.
 */
export const history: Handler<'history'> = async (ctx, session, command) => {
  const room = requireJoined(session, command.room, ctx.config);
  const max = ctx.config.historyPageMax;
  const limit = command.limit ?? max;
  if (limit > max) throw new ReplyError('bad_range', `limit must be at most ${max}`);
  const page = await ctx.engine.history.read(room, { before: command.before, after: command.after, limit });
  const first = page.messages[0];
  const last = page.messages.at(-1);
  const upper = command.before !== undefined ? command.before - 1 : page.position.offset;
  const hasMore =
    command.after !== undefined
      ? last !== undefined && last.offset < upper
      : first !== undefined && first.offset > page.earliest;
  session.reply({
    type: 'history',
    ref: command.ref,
    room,
    messages: page.messages,
    position: page.position,
    hasMore,
  });
};
