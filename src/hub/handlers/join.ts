import { roomAllowed } from '../../auth/identity.js';
import type { ChatMessage, StreamPosition } from '../../engine/types.js';
import { ReplyError } from '../../protocol/error-codes.js';
import type { JoinedFrame } from '../../protocol/messages.js';
import type { Session } from '../session.js';
import { checkRoomName, type Handler, type HandlerContext } from './context.js';

/** What a resume could recover: the missed messages, or nothing (`recovered: false`). */
interface Recovery {
  position: StreamPosition;
  recovered?: boolean;
  messages?: ChatMessage[];
}

/**
 * The room's position and, for a resume, the messages after `since`. Read in one atomic step with the position,
 * so the messages are exactly those up to it; live events above it are held by the session meanwhile.
 */
async function recover(
  ctx: HandlerContext,
  room: string,
  since: StreamPosition | undefined,
): Promise<Recovery> {
  const { history } = ctx.engine;
  if (!since) return { position: await history.position(room) };
  const max = ctx.config.recoveryMaxMessages;
  const page = await history.read(room, { after: since.offset, limit: Math.max(1, max) });
  const { position } = page;
  const missed = position.offset - since.offset;
  const complete =
    since.epoch === position.epoch &&
    missed >= 0 &&
    missed <= max &&
    (missed === 0 || page.earliest <= since.offset + 1) &&
    page.messages.length === missed;
  return complete ? { position, recovered: true, messages: page.messages } : { position, recovered: false };
}

function joinedFrame(
  ref: number,
  room: string,
  recovery: Recovery,
  presence: JoinedFrame['presence'],
): JoinedFrame {
  const frame: JoinedFrame = { type: 'joined', ref, room, position: recovery.position, presence };
  if (recovery.recovered !== undefined) frame.recovered = recovery.recovered;
  if (recovery.messages) frame.messages = recovery.messages;
  return frame;
}

/**
 * `join`: enter a room (or, with `since`, resume it). The reply carries the room's position, presence and, for
 * a resume, the missed messages; live events of the room reach the client only after the reply and only above
 * its position, so recovered and live messages meet without a gap or a duplicate.
 */
export const join: Handler<'join'> = async (ctx, session, command) => {
  const room = checkRoomName(command.room, ctx.config);
  if (session.rooms.has(room)) {
    // Joined already: answer with the current state; with `since`, this is a resubscribe that fills a gap.
    await answerJoined(ctx, session, command.ref, room, command.since);
    return;
  }
  if (!roomAllowed(session.roomRules, room)) {
    throw new ReplyError('forbidden', `not allowed to join room '${room}'`);
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
  } catch (error) {
    session.release(room, { send: false });
    await ctx.exitRoom(session, room).catch(() => {});
    throw error;
  }
  await answerJoined(ctx, session, command.ref, room, command.since, true);
};

async function answerJoined(
  ctx: HandlerContext,
  session: Session,
  ref: number,
  room: string,
  since: StreamPosition | undefined,
  holding = false,
): Promise<void> {
  if (!holding) session.hold(room);
  try {
    const [recovery, users] = await Promise.all([recover(ctx, room, since), ctx.engine.presence.users(room)]);
    session.reply(joinedFrame(ref, room, recovery, users));
    session.release(room, { send: true, skipThrough: recovery.position });
  } catch (error) {
    if (holding) {
      session.release(room, { send: false });
      await ctx.exitRoom(session, room).catch(() => {});
    } else {
      // Still joined: nothing held may be lost.
      session.release(room, { send: true });
    }
    throw error;
  }
}
