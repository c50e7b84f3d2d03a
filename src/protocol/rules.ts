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
