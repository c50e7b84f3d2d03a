import { ReplyError } from '../../protocol/error-codes.js';
import type { UserStatuses } from '../../rooms/user-statuses.js';
import type { Handler, HandlerContext } from './context.js';
import { takePerMinute } from './per-minute.js';

/** What users say of themselves, or `unsupported` where the engine keeps no rooms (`--store redis`). */
function statusesOf(ctx: HandlerContext): UserStatuses {
  if (!ctx.statuses)
    throw new ReplyError('unsupported', 'this server keeps no rooms (--store redis): no statuses');
  return ctx.statuses;
}

/** `set_status`: what the user says of themselves, kept and told to their devices and every room of theirs. */
export const set_status: Handler<'set_status'> = async (ctx, session, command) => {
  const statuses = statusesOf(ctx);
  // Each change is told to every room of the user: its own rate, as a search has.
  takePerMinute(ctx, session, 'statusRate', ctx.config.statusChangesPerMin, 'status changes');
  const status = await statuses.set(session.user.id, command.status);
  session.reply({ type: 'status', ref: command.ref, user: session.user.id, status });
};

/** `statuses`: the statuses in force of some users. */
export const statuses: Handler<'statuses'> = async (ctx, session, command) => {
  session.reply({ type: 'statuses', ref: command.ref, statuses: await statusesOf(ctx).of(command.users) });
};
