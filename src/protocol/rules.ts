/** The wire vocabulary's input rules (client/wire/rules.ts), as checks that refuse with a reply error. */
import { roomNameProblem, textProblem } from '../../client/wire/rules.js';
import type { Config } from '../config/config.js';
import { ReplyError } from './error-codes.js';

/** Checks a room name against the configured length and the allowed characters. */
export function checkRoomName(room: string, config: Config): string {
  const problem = roomNameProblem(room, config.maxRoomNameLength);
  if (problem) throw new ReplyError('invalid_room', problem);
  return room;
}

/** Checks a message text: not blank, at most `maxTextLength` characters. */
export function checkText(text: string, config: Config): string {
  const problem = textProblem(text, config.maxTextLength);
  if (problem === 'text_too_long') {
    throw new ReplyError(problem, `message text is longer than ${config.maxTextLength} characters`);
  }
  if (problem) throw new ReplyError(problem);
  return text;
}

/**
 * Whether a message is also sent to the room (`broadcast`): only a reply in a thread may be, else `bad_request`.
 * The WebSocket's `send` and the server API's messages both ask it.
 */
export function checkBroadcast(broadcast: boolean | undefined, thread: number | undefined): boolean {
  if (broadcast !== true) return false;
  if (thread === undefined)
    throw new ReplyError(
      'bad_request',
      'broadcast sends a reply in a thread to the room too: it needs thread',
    );
  return true;
}
