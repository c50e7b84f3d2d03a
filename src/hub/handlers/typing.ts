import { type Handler, requireJoined } from './context.js';

/** `typing`: tell the room's other users this user is typing. Throttled per connection and room; no reply. */
export const typing: Handler<'typing'> = async (ctx, session, command) => {
  const room = requireJoined(session, command.room, ctx.config);
  if (!session.takeTyping(room, ctx.clock.now(), ctx.config.typingIntervalMs)) return;
  await ctx.engine.broker.signal({ kind: 'typing', room, user: session.user });
};
