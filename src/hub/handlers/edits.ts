import type { Config } from '../../config/config.js';
import type { MessageEdits, RoomLog } from '../../log/room-log.js';
import { ReplyError } from '../../protocol/error-codes.js';
import { type Handler, requireJoined } from './context.js';
import { fitToBudget, replyBudget } from './reply-budget.js';

/** How many texts one answer reads at most (`--history-page-max`, as a page of history) and the bytes it may hold. */
export function editsLimits(config: Config): { max: number; budgetBytes: number } {
  return { max: config.historyPageMax, budgetBytes: replyBudget(config) };
}

/**
 * The texts a message had, oldest first (RoomLog.edits): at most `max` of them (the newest), cut to `budgetBytes`
 * from the oldest (fitToBudget); `partial` when any were left out. A message may be edited any number of times:
 * the store reads no more than `max`, and the newest texts are those worth showing when all do not fit.
 * @throws ReplyError no_message when the room keeps no chat message at `offset`
 */
export async function readEdits(
  log: RoomLog,
  room: string,
  offset: number,
  limits: { max: number; budgetBytes: number },
): Promise<MessageEdits> {
  const found = await log.edits(room, offset, limits.max);
  if (!found) throw new ReplyError('no_message', `no message at offset ${offset} in ${room}`);
  const { messages: versions, cut } = fitToBudget(found.versions, limits.budgetBytes, 'newest');
  return found.partial || cut ? { versions, partial: true } : { versions };
}

/**
 * `edits`: the texts a message of a joined room had (see {@link readEdits}). Whoever may read the room may read
 * them: each was shown to its members as it was sent or edited.
 */
export const edits: Handler<'edits'> = async (ctx, session, command) => {
  const room = requireJoined(session, command.room, ctx.config);
  const found = await readEdits(ctx.engine.log, room, command.offset, editsLimits(ctx.config));
  session.reply({ type: 'edits', ref: command.ref, room, offset: command.offset, ...found });
};
