/**
 * Messages sent later: `schedule`, `reschedule`, `unschedule`, `scheduled_messages` (docs/protocol.md, "Scheduled
 * messages").
 */
import { ReplyError } from '../../protocol/error-codes.js';
import { checkText } from '../../protocol/rules.js';
import type { ScheduledMessages } from '../../schedule/scheduled-messages.js';
import { callerOf, type Handler, type HandlerContext, requireJoined } from './context.js';
import { replyBudget } from './reply-budget.js';

function scheduledOf(ctx: HandlerContext): ScheduledMessages {
  if (!ctx.scheduled) {
    throw new ReplyError('unsupported', 'this server keeps no rooms (--store redis): no scheduled messages');
  }
  return ctx.scheduled;
}

/** `schedule`: a message of a joined room of members, to be sent at `at` (answered with it as scheduled). */
export const schedule: Handler<'schedule'> = async (ctx, session, command) => {
  const scheduled = scheduledOf(ctx);
  const room = requireJoined(session, command.room, ctx.config);
  const { type: _type, ref, ...request } = command;
  const message = await scheduled.schedule(callerOf(session), {
    ...request,
    room,
    text: checkText(command.text, ctx.config),
  });
  session.reply({ type: 'scheduled', ref, scheduled: message });
};

/** `reschedule`: one of the user's scheduled messages moved to another time, pending again (answered with it). */
export const reschedule: Handler<'reschedule'> = async (ctx, session, command) => {
  const message = await scheduledOf(ctx).reschedule(session.user.id, command.id, command.at);
  session.reply({ type: 'scheduled', ref: command.ref, scheduled: message });
};

/** `unschedule`: one of the user's scheduled messages removed (answered `done`, with its room). */
export const unschedule: Handler<'unschedule'> = async (ctx, session, command) => {
  const { room } = await scheduledOf(ctx).unschedule(session.user.id, command.id);
  session.reply({ type: 'done', ref: command.ref, room });
};

/** `scheduled_messages`: the user's scheduled messages, the soonest first, as many as one reply holds. */
export const scheduled_messages: Handler<'scheduled_messages'> = async (ctx, session, command) => {
  const page = await scheduledOf(ctx).list(
    session.user.id,
    command.skip ?? 0,
    replyBudget(ctx.config),
    // The whole list is read for each page: charged to the user's reply budget as the reads of `saved` are.
    (bytes) => session.chargeRead(bytes),
  );
  session.reply({ type: 'scheduled_messages', ref: command.ref, ...page });
};
