import { roomAllowed } from '../../auth/identity.js';
import type { ChatMessage, StreamPosition } from '../../engine/types.js';
import type { PresenceSample } from '../../presence/presence-store.js';
import { encodeJoined, NO_USERS } from '../../protocol/codec.js';
import { ReplyError } from '../../protocol/error-codes.js';
import type { JoinedFrame } from '../../protocol/messages.js';
import { checkRoomName } from '../../protocol/rules.js';
import type { Session } from '../session.js';
import { callerOf, type Handler, type HandlerContext } from './context.js';
import { messageBytes, replyBudget } from './reply-budget.js';

/** What a resume could recover: the missed messages, or nothing (`recovered: false`). */
interface Recovery {
  position: StreamPosition;
  recovered?: boolean;
  messages?: ChatMessage[];
}

/**
 * The room's position and, for a resume, the messages after `since` up to it; live events above the position are
 * held by the session meanwhile. The missed messages are read a page at a time and must fit the reply budget: a
 * recovery too large for one reply answers `recovered: false` (the client reloads and pages back) instead of
 * building one frame of megabytes.
 */
async function recover(
  ctx: HandlerContext,
  room: string,
  since: StreamPosition | undefined,
): Promise<Recovery> {
  const { log } = ctx.engine;
  if (!since) return { position: await log.position(room) };
  const max = ctx.config.recoveryMaxMessages;
  const pageSize = Math.max(1, Math.min(max, ctx.config.historyPageMax));
  const first = await log.read(room, { after: since.offset, limit: pageSize });
  const { position } = first;
  const missed = position.offset - since.offset;
  const reachable =
    since.epoch === position.epoch &&
    missed >= 0 &&
    missed <= max &&
    (missed === 0 || first.earliest <= since.offset + 1);
  if (!reachable) return { position, recovered: false };
  const messages = await collect(ctx, room, first.messages, since.offset, position, pageSize);
  return messages ? { position, recovered: true, messages } : { position, recovered: false };
}

/**
 * The messages after `from` up to `position`, contiguous and within the reply budget, starting with those already
 * read; undefined when they are not all there (trimmed meanwhile, epoch changed) or do not fit.
 */
async function collect(
  ctx: HandlerContext,
  room: string,
  firstPage: ChatMessage[],
  from: number,
  position: StreamPosition,
  pageSize: number,
): Promise<ChatMessage[] | undefined> {
  const budget = replyBudget(ctx.config);
  const messages: ChatMessage[] = [];
  let bytes = 0;
  let last = from;
  let page = firstPage;
  while (last < position.offset) {
    const next = page[0];
    if (!next || next.epoch !== position.epoch || next.offset !== last + 1) return undefined;
    for (const message of page) {
      if (message.offset > position.offset) break;
      if (message.offset !== last + 1) return undefined;
      bytes += messageBytes(message);
      if (bytes > budget) return undefined;
      messages.push(message);
      last = message.offset;
    }
    if (last < position.offset) {
      const limit = Math.min(pageSize, position.offset - last);
      page = (await ctx.engine.log.read(room, { after: last, limit })).messages;
    }
  }
  return messages;
}

/** The reply without its presence users: they go in as bytes (see encodeJoined). */
function joinedFrame(ref: number, room: string, recovery: Recovery, presenceCount: number): JoinedFrame {
  const frame: JoinedFrame = {
    type: 'joined',
    ref,
    room,
    position: recovery.position,
    presence: NO_USERS,
    presenceCount,
  };
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
  // A member enters; anyone else becomes one first if the room lets them, unless this is a resume (see
  // RoomService.enter).
  await ctx.rooms?.enter(callerOf(session), room, command.since !== undefined);
  session.hold(room);
  try {
    await ctx.membership.enter(session, room);
  } catch (error) {
    session.release(room, { send: false });
    await ctx.membership.exit(session, room).catch(() => {});
    throw error;
  }
  await answerJoined(ctx, session, command.ref, room, command.since, true);
};

/**
 * The room's user count and up to `presencePageMax` of its users, the joining user among them (a client finds itself
 * in the list, and counts its own join diff as the user it already knows). O(page) whatever the room's size: a join
 * storm into a room of n users costs O(n) bytes, not O(n^2).
 */
function presenceSample(ctx: HandlerContext, session: Session, room: string): Promise<PresenceSample> {
  return ctx.engine.presence.sample(room, ctx.config.presencePageMax, session.user);
}

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
    const answer = async () => {
      const [recovery, presence] = await Promise.all([
        recover(ctx, room, since),
        presenceSample(ctx, session, room),
      ]);
      ctx.membership.joinedAt(room, recovery.position);
      const frame = joinedFrame(ref, room, recovery, presence.count);
      session.replyEncoded(encodeJoined(frame, ctx.presencePages.encode(room, presence.users)));
      return recovery;
    };
    // Resumes read and encode up to a reply budget of messages each: a reconnect storm of thousands takes turns
    // (the node stays responsive, its Redis commands do not time out behind a backlog of replies).
    const recovery = since ? await ctx.recoveries.run(answer) : await answer();
    session.release(room, { send: true, skipThrough: recovery.position });
    ctx.feed.record({ type: 'join', room, user: session.user });
  } catch (error) {
    if (holding) {
      session.release(room, { send: false });
      await ctx.membership.exit(session, room).catch(() => {});
    } else {
      // Still joined: nothing held may be lost.
      session.release(room, { send: true });
    }
    throw error;
  }
}
