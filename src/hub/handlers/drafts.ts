/** Drafts: `set_draft`, `drafts` (docs/protocol.md, "Drafts"). */
import type { Drafts } from '../../drafts/drafts.js';
import { ReplyError } from '../../protocol/error-codes.js';
import { checkRoomName } from '../../protocol/rules.js';
import type { Handler, HandlerContext } from './context.js';
import { replyBudget } from './reply-budget.js';

function draftsOf(ctx: HandlerContext): Drafts {
  if (!ctx.drafts)
    throw new ReplyError('unsupported', 'this server keeps no rooms (--store redis): no drafts');
  return ctx.drafts;
}

/**
 * `set_draft`: the user's draft of a room (blank: none), told to each of their devices; any room name (a draft is the
 * user's own, whatever they may do there). Answered only when asked (`ref`), as `read` is: a client sends one each
 * time typing pauses.
 */
export const set_draft: Handler<'set_draft'> = async (ctx, session, command) => {
  checkRoomName(command.room, ctx.config);
  await draftsOf(ctx).set(session.user.id, command.room, command.text);
  if (command.ref !== undefined) session.reply({ type: 'done', ref: command.ref, room: command.room });
};

/** `drafts`: the user's drafts, the most recently set first, as many as one reply holds. */
export const drafts: Handler<'drafts'> = async (ctx, session, command) => {
  const page = await draftsOf(ctx).list(
    session.user.id,
    command.skip ?? 0,
    replyBudget(ctx.config),
    // The whole list is read for each page: charged to the user's reply budget as `scheduled_messages` is.
    (bytes) => session.chargeRead(bytes),
  );
  session.reply({ type: 'drafts', ref: command.ref, ...page });
};
