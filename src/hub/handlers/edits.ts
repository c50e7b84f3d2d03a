import type { MessageVersion } from '../../../client/wire/domain.js';
import type { RoomLog } from '../../log/room-log.js';
import { ReplyError } from '../../protocol/error-codes.js';
import { type Handler, requireJoined } from './context.js';
import { replyBudget } from './reply-budget.js';

/** The texts of a message as clients and the server API receive them. */
export interface EditsReply {
  versions: MessageVersion[];
  partial?: true;
}

/**
 * The texts a message had, oldest first (RoomLog.edits), cut to `budgetBytes` from the oldest (then `partial`): a
 * message may be edited any number of times, and the newest texts are those worth showing when all do not fit.
 * @throws ReplyError no_message when the room keeps no chat message at `offset`
 */
export async function readEdits(
  log: RoomLog,
  room: string,
  offset: number,
  budgetBytes: number,
): Promise<EditsReply> {
  const found = await log.edits(room, offset);
  if (!found) throw new ReplyError('no_message', `no message at offset ${offset} in ${room}`);
  const { versions } = found;
  let bytes = 0;
  let kept = versions.length;
  for (let i = versions.length - 1; i >= 0; i -= 1) {
    // The text and its JSON around it; the newest is kept whatever its size.
    bytes += Buffer.byteLength((versions[i] as MessageVersion).text) + 32;
    if (bytes > budgetBytes && kept < versions.length) break;
    kept = i;
  }
  const partial = found.partial === true || kept > 0;
  return { versions: versions.slice(kept), ...(partial ? { partial: true as const } : {}) };
}

/**
 * `edits`: the texts a message of a joined room had (see {@link readEdits}). Whoever may read the room may read
 * them: each was shown to its members as it was sent or edited.
 */
export const edits: Handler<'edits'> = async (ctx, session, command) => {
  const room = requireJoined(session, command.room, ctx.config);
  const found = await readEdits(ctx.engine.log, room, command.offset, replyBudget(ctx.config));
  session.reply({ type: 'edits', ref: command.ref, room, offset: command.offset, ...found });
};
