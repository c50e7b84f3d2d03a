import { ReplyError } from '../../protocol/error-codes.js';
import { type Handler, requireJoined } from './context.js';
import { replyBudget } from './reply-budget.js';

/**
 * `edits`: the texts a message of a joined room had, oldest first (RoomLog.edits). Whoever may read the room may
 * read them: each was shown to its members as it was sent or edited. Cut to the reply budget from the oldest (then
 * `partial`): a message may be edited any number of times.
 */
export const edits: Handler<'edits'> = async (ctx, session, command) => {
  const room = requireJoined(session, command.room, ctx.config);
  const found = await ctx.engine.log.edits(room, command.offset);
  if (!found) throw new ReplyError('no_message', `no message at offset ${command.offset} in ${room}`);
  const budget = replyBudget(ctx.config);
  const versions = [...found.versions];
  let bytes = 0;
  let kept = versions.length;
  // Newest first: the newest texts are those worth showing when all do not fit.
  for (let i = versions.length - 1; i >= 0; i -= 1) {
    bytes += Buffer.byteLength((versions[i] as { text: string }).text) + 32;
    if (bytes > budget && kept < versions.length) break;
    kept = i;
  }
  const shown = versions.slice(kept);
  const partial = found.partial === true || shown.length < versions.length;
  session.reply({
    type: 'edits',
    ref: command.ref,
    room,
    offset: command.offset,
    versions: shown,
    ...(partial ? { partial: true as const } : {}),
  });
};
