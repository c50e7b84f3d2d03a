/** A room list entry's newest message (`last`), as the server and clients make it from a message. */
import type { ChatMessage } from './domain.js';
import type { LastMessage } from './rooms.js';

/** Longest preview of a message in a room list entry. */
export const PREVIEW_LENGTH = 200;

/** The start of a text, as a room list entry previews it. */
export function previewOf(text: string): string {
  return text.length > PREVIEW_LENGTH ? text.slice(0, PREVIEW_LENGTH) : text;
}

/**
 * What an action entry leaves as the preview of the message it acts on: the edited text's start, or nothing after a
 * delete (a deleted text shows nowhere); undefined for a reaction, which changes no preview.
 */
export function previewAfter(entry: ChatMessage): { offset: number; preview: string } | undefined {
  const action = entry.action;
  if (action?.type === 'edit') return { offset: action.target, preview: previewOf(entry.text) };
  if (action?.type === 'delete') return { offset: action.target, preview: '' };
  return undefined;
}

/** The room list entry's `last` for a message or system event (an `activity` frame carries it). */
export function lastOf(message: ChatMessage): LastMessage {
  const last: LastMessage = {
    id: message.id,
    offset: message.offset,
    epoch: message.epoch,
    ts: message.ts,
    from: message.from,
    // A forward alone previews what it passes on.
    preview: previewOf(message.text === '' && message.forwarded ? message.forwarded.text : message.text),
  };
  if (message.event) last.event = message.event;
  if (message.mentions) last.mentions = message.mentions;
  if (message.mentionsRoom) last.mentionsRoom = true;
  if (message.files) last.files = message.files.length;
  if (message.forwarded) last.forwarded = true;
  if (message.thread !== undefined) last.thread = message.thread;
  if (message.broadcast) last.broadcast = true;
  return last;
}
