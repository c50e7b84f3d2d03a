import { ReplyError } from '../../protocol/error-codes.js';
import { callerOf, type Handler, type HandlerContext, requireJoined } from './context.js';

/** The uploads service, or `unsupported` where the engine keeps no files (`--store redis`). */
function uploadsOf(ctx: HandlerContext) {
  if (!ctx.uploads || ctx.config.maxFileBytes === 0)
    throw new ReplyError('unsupported', 'this server takes no files (--store redis or --max-file-bytes 0)');
  return ctx.uploads;
}

/** `upload`: announces a file to send in a joined room where the user may send; its bytes follow as binary frames. */
export const upload: Handler<'upload'> = async (ctx, session, command) => {
  const uploads = uploadsOf(ctx);
  const room = requireJoined(session, command.room, ctx.config);
  // Uploading is sending: a member not muted, the room not archived (an open channel: whoever joined it).
  await ctx.rooms?.checkSend(callerOf(session), room);
  session.reply(await uploads.begin(session, { ...command, room }));
};

/** `cancel_upload`: drops the connection's upload in progress (nothing to drop is fine): `done` names its room. */
export const cancel_upload: Handler<'cancel_upload'> = async (ctx, session, command) => {
  const room = session.upload?.room ?? '';
  await uploadsOf(ctx).cancel(session);
  session.reply({ type: 'done', ref: command.ref, room });
};
