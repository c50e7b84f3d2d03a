import type { Handler } from './context.js';
import { roomsOf } from './context.js';

/** `settings`: the user's settings, changing those given (read receipts). Kept where rooms are. */
export const settings: Handler<'settings'> = async (ctx, session, command) => {
  const rooms = roomsOf(ctx);
  const readReceipts = await rooms.receipts(session.user.id, command.readReceipts);
  session.reply({ type: 'settings', ref: command.ref, readReceipts });
};
