/** A room list entry's newest message (`last`), as the server and clients make it from a message. */
import type { ChatMessage } from './domain.js';
import type { LastMessage } from './rooms.js';

/** Longest preview of a message in a room list entry. */
export const PREVIEW_LENGTH = 200;

/** The start of a text, as a room list entry previews it. */
export function previewOf(text: string): string {
  return text.length > PREVIEW_LENGTH ? text.slice(0, PREVIEW_LENGTH) : text;
}

/** The room list entry's `last` for a message or system event (an `activity` frame carries it). */
export function lastOf(message: ChatMessage): LastMessage {
  const last: LastMessage = {
    id: message.id,
    offset: message.offset,
    epoch: message.epoch,
    ts: message.ts,
    from: message.from,
    preview: previewOf(message.text),
  };
  if (message.event) last.event = message.event;
  if (message.mentions) last.mentions = message.mentions;
  return last;
}
