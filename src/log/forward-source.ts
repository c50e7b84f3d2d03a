import type { ForwardedMessage } from '../../client/wire/domain.js';
import { ReplyError } from '../protocol/error-codes.js';
import { messageAt } from '../rooms/message-entries.js';
import type { RoomLog } from './room-log.js';

/**
 * The copy a forward carries of the message at `offset` of `room` (a room the forwarder may read: the caller checked
 * it), as it is now: edits applied. Only a chat message that is still there may be forwarded (`no_message`
 * otherwise). A forward that says nothing of its own (no text, no files) passes on the message it carries, so a
 * message forwarded from room to room keeps naming where it was written.
 */
export async function forwardSource(log: RoomLog, room: string, offset: number): Promise<ForwardedMessage> {
  const message = await messageAt(log, room, offset);
  if (!message || message.event || message.action || message.deleted)
    throw new ReplyError('no_message', `no chat message at offset ${offset} of '${room}' to forward`);
  if (message.forwarded && message.text === '' && !message.files) return message.forwarded;
  return {
    room,
    offset,
    id: message.id,
    from: message.from,
    text: message.text,
    ts: message.ts,
    ...(message.files ? { files: message.files } : {}),
  };
}
