import { type Handler, requireJoined } from './context.js';

/** `presence`: the room's current users, one entry per user. */
export const presence: Handler<'presence'> = async (ctx, session, command) => {
  const room = requireJoined(session, command.room, ctx.config);
  const users = await ctx.engine.presence.users(room);
  session.reply({ type: 'presence_state', ref: command.ref, room, users });
};
