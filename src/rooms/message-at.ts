import type { ChatMessage } from '../engine/types.js';
import type { RoomLog } from '../log/room-log.js';

/** The message at `offset` of a room, as it is now, if the log keeps it (what a pin or a saved message names). */
export async function messageAt(
  log: RoomLog,
  room: string,
  offset: number,
): Promise<ChatMessage | undefined> {
  const page = await log.read(room, { after: offset - 1, limit: 1 });
  const message = page.messages[0];
  return message?.offset === offset ? message : undefined;
}

/** Whether a message may be pinned or saved: a chat message (no system event, no action's entry), not deleted. */
export function isKeepable(message: ChatMessage | undefined): message is ChatMessage {
  return message !== undefined && !message.event && !message.action && !message.deleted;
}
