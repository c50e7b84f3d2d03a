import type { UserInfo } from '../../engine/types.js';
import { ReplyError } from '../../protocol/error-codes.js';
import type { PresenceListing } from '../presence-listing.js';
import { type Handler, requireJoined } from './context.js';

/** What reading one user of a room's presence costs, as bytes of the reply budget (about an entry's JSON). */
const READ_BYTES_PER_USER = 50;

/**
 * `presence`: a page of the room's current users by id, one entry per user, and their count. The room's users come
 * sorted from the instance's listing (read whole at most once a second: {@link PresenceListing}); a join answers
 * with a sample that costs O(page).
 */
export const presence: Handler<'presence'> = async (ctx, session, command) => {
  const room = requireJoined(session, command.room, ctx.config);
  const max = ctx.config.presencePageMax;
  if (command.limit !== undefined && command.limit > max) {
    throw new ReplyError('bad_range', `limit must be at most ${max}`);
  }
  const limit = command.limit ?? max;
  // A page that read the room whole is charged as if it answered every user (the reply budget): one connection
  // paging many big rooms it joined would otherwise read each whole from the store at the command rate.
  const all = await ctx.membership.listing.users(room, (read) =>
    session.chargeRead(read * READ_BYTES_PER_USER),
  );
  const from = command.after === undefined ? 0 : firstAfter(all, command.after);
  const users = all.slice(from, from + limit);
  const last = users.at(-1);
  session.reply({
    type: 'presence_state',
    ref: command.ref,
    room,
    users,
    count: all.length,
    ...(from + limit < all.length && last ? { next: last.id } : {}),
  });
};

/** The index of the first user whose id sorts after `id` (binary search of users sorted by id). */
function firstAfter(users: readonly UserInfo[], id: string): number {
  let low = 0;
  let high = users.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((users[middle] as UserInfo).id <= id) low = middle + 1;
    else high = middle;
  }
  return low;
}
