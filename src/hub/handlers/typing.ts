import { callerOf, type Handler, requireJoined } from './context.js';

/**
 * `typing`: tell the room's other users this user is typing. Throttled per connection and room; no reply. Only
 * who may send may type: a muted member's signal is dropped.
 */
export const typing: Handler<'typing'> = async (ctx, session, command) => {
  const room = requireJoined(session, command.room, ctx.config);
  if (!session.takeTyping(room, ctx.clock.now(), ctx.config.typingIntervalMs)) return;
  // A refused typing signal is dropped without an answer (typing is fire-and-forget).
  const allowed = await (ctx.rooms?.checkSend(callerOf(session), room).then(
    () => true,
    () => false,
  ) ?? true);
  if (!allowed) return;
  await ctx.engine.broker.signal({ kind: 'typing', room, user: session.user });
};
