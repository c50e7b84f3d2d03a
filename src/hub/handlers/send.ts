import { claimFiles, feedText } from '../../files/claim-files.js';
import { forwardSource } from '../../log/forward-source.js';
import { checkReplyTarget } from '../../log/reply-target.js';
import { ReplyError } from '../../protocol/error-codes.js';
import { checkBroadcast, checkText } from '../../protocol/rules.js';
import type { Session } from '../session.js';
import { callerOf, type Handler, type HandlerContext, requireJoined } from './context.js';

/** `send`: publish a message to a room; the reply carries its id and position once it is stored. */
export const send: Handler<'send'> = async (ctx, session, command) => {
  ctx.countReceived();
  const room = requireJoined(session, command.room, ctx.config);
  // With files or a forwarded message, a message needs no text (a photo alone, a message passed on as it is).
  const text =
    (command.files || command.forward) && command.text === '' ? '' : checkText(command.text, ctx.config);
  // From the membership cache: no database round trip per message.
  const member = (await ctx.rooms?.checkSend(callerOf(session), room)) ?? false;
  if (command.replyTo !== undefined) await checkReplyTarget(ctx.engine.log, room, command.replyTo);
  // A thread's root is checked by the log, in the step that stores the reply (it may be deleted meanwhile).
  const broadcast = checkBroadcast(command.broadcast, command.thread);
  if (command.mentionsRoom)
    await checkRoomMention(ctx, session, room, command.thread !== undefined && !broadcast);
  // The forwarder reads the original where they are joined: what they may read, they may pass on.
  const forwarded = command.forward
    ? await forwardSource(
        ctx.engine.log,
        requireJoined(session, command.forward.room, ctx.config),
        command.forward.offset,
      )
    : undefined;
  const files = command.files
    ? await claimFiles(ctx.engine.files, ctx.config, {
        ids: command.files,
        owner: session.user.id,
        room,
        cid: command.cid,
        at: ctx.clock.now(),
      })
    : undefined;
  const started = ctx.clock.now();
  const id = ctx.ids.messageId();
  ctx.latency.mark(id);
  let appended: Awaited<ReturnType<typeof ctx.engine.log.append>>;
  try {
    appended = await ctx.engine.log.append({
      room,
      id,
      from: session.user,
      text,
      ts: started,
      cid: command.cid,
      ...(command.replyTo !== undefined ? { replyTo: command.replyTo } : {}),
      ...(command.thread !== undefined ? { thread: command.thread } : {}),
      ...(broadcast ? { broadcast: true as const } : {}),
      ...(command.mentions?.length ? { mentions: [...new Set(command.mentions)] } : {}),
      ...(command.mentionsRoom ? { mentionsRoom: true as const } : {}),
      ...(files ? { files } : {}),
      ...(forwarded ? { forwarded } : {}),
    });
  } catch (error) {
    // try/catch rather than a .catch(): no promise more per message on this path.
    ctx.latency.forget(id);
    throw error;
  }
  const { message, duplicate, root } = appended;
  // A duplicate is the message sent before, under its own id: this one's mark would never be read.
  if (duplicate) ctx.latency.forget(id);
  else {
    ctx.countPublished(ctx.clock.now() - started);
    ctx.feed.message(room, session.user, feedText(text, files, forwarded));
  }
  // Who writes has read what came before (only members have a marker: an open channel's sends cost nothing here);
  // not who replies in a thread, which is read apart from the room (unless the reply is sent to the room too).
  if (member && (command.thread === undefined || broadcast))
    ctx.readMarkers?.mark(session.user.id, room, message.offset);
  // A reply in a thread: who follows it now, and its followers told (before `sent`: the sender follows it then).
  if (root) await ctx.rooms?.threadReplied(message, root);
  // The message ended this user's typing for everyone: their next keystroke may say so again at once.
  session.typingEnded(room);
  session.reply({
    type: 'sent',
    ref: command.ref,
    room,
    id: message.id,
    offset: message.offset,
    epoch: message.epoch,
    ts: message.ts,
    duplicate,
  });
};

/**
 * A mention of the whole room (`@room`): of a room of members, not of a reply kept to its thread (its followers are
 * who hear of it), and above `roomMentionMaxMembers` members only by the room's admins and owners.
 */
async function checkRoomMention(
  ctx: HandlerContext,
  session: Session,
  room: string,
  inThreadOnly: boolean,
): Promise<void> {
  if (!ctx.rooms)
    throw new ReplyError('unsupported', 'this server keeps no rooms (--store redis): no room mentions');
  if (inThreadOnly) {
    throw new ReplyError(
      'bad_request',
      'mentionsRoom: a reply in a thread mentions the room only when also sent to it',
    );
  }
  await ctx.rooms.checkRoomMention(callerOf(session), room);
}
