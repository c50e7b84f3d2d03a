import { type Handler, requireJoined } from './context.js';

/** `leave`: exit a room; no further events of it are delivered after the reply. */
export const leave: Handler<'leave'> = async (ctx, session, command) => {
  const room = requireJoined(session, command.room, ctx.config);
  await ctx.membership.exit(session, room);
  ctx.feed.record({ type: 'leave', room, user: session.user });
  session.reply({ type: 'left', ref: command.ref, room });
};
