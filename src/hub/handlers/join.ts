import { ReplyError } from '../../protocol/error-codes.js';
import { checkRoomName, type Handler } from './context.js';

/** `join`: enter a room; the reply carries its position and presence, then live events follow. */
export const join: Handler<'join'> = async (ctx, session, command) => {
  const room = checkRoomName(command.room, ctx.config);
  const { history, presence } = ctx.engine;
  if (session.rooms.has(room)) {
    // Joining twice is harmless: answer with the current state.
    const [position, users] = await Promise.all([history.position(room), presence.users(room)]);
    session.reply({ type: 'joined', ref: command.ref, room, position, presence: users });
    return;
  }
  if (session.rooms.size >= ctx.config.maxRoomsPerConnection) {
    throw new ReplyError(
      'too_many_rooms',
      `at most ${ctx.config.maxRoomsPerConnection} rooms per connection`,
    );
  }
  session.hold(room);
  try {
    await ctx.enterRoom(session, room);
    const [position, users] = await Promise.all([history.position(room), presence.users(room)]);
    session.reply({ type: 'joined', ref: command.ref, room, position, presence: users });
    session.release(room, { send: true, skipThrough: position.offset });
  } catch (error) {
    session.release(room, { send: false });
    await ctx.exitRoom(session, room).catch(() => {});
    throw error;
  }
};
