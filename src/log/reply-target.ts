import { ReplyError } from '../protocol/error-codes.js';
import type { RoomLog } from './room-log.js';

/**
 * Checks that a reply (`replyTo`) names a message the room has: any offset up to its newest (the client saw it; a
 * deleted or pruned one is still quoted by its offset). `send` and scheduled messages ask it.
 */
export async function checkReplyTarget(log: RoomLog, room: string, replyTo: number): Promise<void> {
  const { offset } = await log.position(room);
  if (replyTo < 1 || replyTo > offset)
    throw new ReplyError('bad_request', `replyTo ${replyTo} names no message of '${room}'`);
}
