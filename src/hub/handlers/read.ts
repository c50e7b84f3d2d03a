import type { Handler } from './context.js';
import { requireJoined } from './context.js';

/**
 * `read`: moves the user's read marker of a joined room forward. Batched (see ReadMarkers): the command is not
 * answered unless it carries a `ref`, and the user's devices hear of the move with a `read` frame.
 */
export const read: Handler<'read'> = async (ctx, session, command) => {
  const room = requireJoined(session, command.room, ctx.config);
  if (ctx.readMarkers) {
    // Not past the room's newest message, as it is now (a client cannot mark unwritten messages read). From the
    // recent window: in process, or one Redis read.
    const { offset } = await ctx.engine.log.position(room);
    ctx.readMarkers.mark(session.user.id, room, Math.min(command.offset, offset));
  }
  if (command.ref !== undefined) session.reply({ type: 'done', ref: command.ref, room });
};
