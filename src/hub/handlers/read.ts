import { ReplyError } from '../../protocol/error-codes.js';
import { checkRoomName } from '../../protocol/rules.js';
import type { Session } from '../session.js';
import type { Handler, HandlerContext } from './context.js';

/** A room whose read marker the connection may move: one it joined, or one of its room list (`not_joined`). */
function followedRoom(ctx: HandlerContext, session: Session, name: string): string {
  const room = checkRoomName(name, ctx.config);
  if (!session.rooms.has(room) && !session.listed?.has(room)) {
    throw new ReplyError('not_joined', `room '${room}' is neither joined nor in this connection's room list`);
  }
  return room;
}

/**
 * `read`: moves the user's read marker of a room forward: one this connection joined, or one of its room list
 * (after `rooms`: a room of the user's that it follows without having joined it, so that a client can mark a room
 * read from its list, or every room at once). Batched (see ReadMarkers): the command is not answered unless it
 * carries a `ref`, and the user's devices hear of the move with a `read` frame.
 */
export const read: Handler<'read'> = async (ctx, session, command) => {
  const room = followedRoom(ctx, session, command.room);
  if (ctx.readMarkers) {
    // Not past the room's newest message, as it is now (a client cannot mark unwritten messages read). From the
    // recent window: in process, or one Redis read.
    const { offset } = await ctx.engine.log.position(room);
    ctx.readMarkers.mark(session.user.id, room, Math.min(command.offset, offset));
  }
  if (command.ref !== undefined) session.reply({ type: 'done', ref: command.ref, room });
};

/**
 * `unread`: marks a room unread from the message at `offset` on, for the user (every device): the read marker moves
 * back to the message before it, at once, and the user's connections hear of it with a `read` frame. A marker at or
 * before it already stays. The same rooms as `read`.
 */
export const unread: Handler<'unread'> = async (ctx, session, command) => {
  const room = followedRoom(ctx, session, command.room);
  await ctx.readMarkers?.unmark(session.user.id, room, command.offset - 1);
  session.reply({ type: 'done', ref: command.ref, room });
};
