import { ReplyError } from '../../protocol/error-codes.js';
import { type Handler, requireJoined } from './context.js';

/**
 * `presence`: a page of the room's current users by id, one entry per user, and their count. The store lists the
 * whole room (O(room)), so this is on request only; a join answers with a sample that costs O(page).
 */
export const presence: Handler<'presence'> = async (ctx, session, command) => {
  const room = requireJoined(session, command.room, ctx.config);
  const max = ctx.config.presencePageMax;
  if (command.limit !== undefined && command.limit > max) {
    throw new ReplyError('bad_range', `limit must be at most ${max}`);
  }
  const limit = command.limit ?? max;
  const after = command.after;
  const all = await ctx.engine.presence.users(room);
  const rest = after === undefined ? all : all.filter((user) => user.id > after);
  rest.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const users = rest.slice(0, limit);
  const last = users.at(-1);
  session.reply({
    type: 'presence_state',
    ref: command.ref,
    room,
    users,
    count: all.length,
    ...(rest.length > limit && last ? { next: last.id } : {}),
  });
};
