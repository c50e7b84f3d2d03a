import type { ActedFrame } from '../../../client/wire/frames.js';
import type { MessageAction } from '../../engine/types.js';
import type { ActResult } from '../../log/room-log.js';
import { checkText } from '../../protocol/rules.js';
import type { Caller } from '../../rooms/room-service.js';
import type { Session } from '../session.js';
import { callerOf, type Handler, type HandlerContext, requireJoined } from './context.js';

/** What acting on a message needs: the protocol's handlers and the server API both have it. */
export type MessageActionDeps = Pick<HandlerContext, 'config' | 'engine' | 'clock' | 'ids' | 'rooms'>;

/**
 * Runs an action on a message of a room, as `caller`: the standing checked from the membership cache (editing and
 * reacting are sending; a delete says whether the caller may delete anyone's; an open channel has no standings, and
 * a server admin deletes anyone's there), then the log checks the message and applies the action; the action's
 * entry reaches the room like a message. A deleted message is pinned no more, and its files are removed.
 */
export async function actOnMessage(
  deps: MessageActionDeps,
  caller: Caller,
  room: string,
  action: MessageAction,
  text?: string,
): Promise<ActResult> {
  const { moderator } = (await deps.rooms?.checkAct(
    caller,
    room,
    action.type === 'delete' ? 'delete' : 'send',
  )) ?? {
    moderator: caller.admin,
  };
  const result = await deps.engine.log.act({
    room,
    id: deps.ids.messageId(),
    from: caller.user,
    ts: deps.clock.now(),
    action,
    ...(text !== undefined ? { text } : {}),
    moderator,
    maxReactions: deps.config.maxReactionsPerMessage,
  });
  if (action.type === 'delete' && result.entry) {
    await deps.rooms?.messageDeleted(room, action.target);
    // Its files go with it (the tombstone keeps its sender and cid, which name them).
    if (deps.engine.files)
      await deps.engine.files.discardSent(room, result.target.from.id, result.target.cid);
  }
  return result;
}

/** Runs an action on a message of a joined room and answers `acted`. */
async function act(
  ctx: HandlerContext,
  session: Session,
  ref: number,
  room: string,
  action: MessageAction,
  text?: string,
): Promise<void> {
  const joined = requireJoined(session, room, ctx.config);
  const result = await actOnMessage(ctx, callerOf(session), joined, action, text);
  const frame: ActedFrame = { type: 'acted', ref, room: joined, message: result.target };
  if (result.entry) frame.action = result.entry;
  session.reply(frame);
}

/** `edit`: replaces the text of one's own message. */
export const edit: Handler<'edit'> = (ctx, session, command) =>
  act(
    ctx,
    session,
    command.ref,
    command.room,
    { type: 'edit', target: command.offset },
    checkText(command.text, ctx.config),
  );

/** `delete`: deletes a message (its text is gone everywhere). */
export const deleteMessage: Handler<'delete'> = (ctx, session, command) =>
  act(ctx, session, command.ref, command.room, { type: 'delete', target: command.offset });

/** `react` (`add`) and `unreact`: one's reaction with an emoji, added or taken back. */
const reaction =
  (add: boolean): Handler<'react' | 'unreact'> =>
  (ctx, session, command) =>
    act(ctx, session, command.ref, command.room, {
      type: 'react',
      target: command.offset,
      emoji: command.emoji,
      add,
    });

export const react: Handler<'react'> = reaction(true);
export const unreact: Handler<'unreact'> = reaction(false);
