import { ReplyError } from '../../protocol/error-codes.js';
import { type Handler, requireJoined } from './context.js';

/** `history`: a page of earlier messages, oldest first, ending just below `before` (default: the newest). */
export const history: Handler<'history'> = async (ctx, session, command) => {
  const room = requireJoined(session, command.room, ctx.config);
  const max = ctx.config.historyPageMax;
  const limit = command.limit ?? max;
  if (limit > max) throw new ReplyError('bad_range', `limit must be at most ${max}`);
  const page = await ctx.engine.history.read(room, { before: command.before, limit });
  const first = page.messages[0];
  session.reply({
    type: 'history',
    ref: command.ref,
    room,
    messages: page.messages,
    position: page.position,
    hasMore: first !== undefined && first.offset > page.earliest,
  });
};
