/**
 * The input rules every part checks the same way: the server refuses what breaks them, the SDK and the web UI can
 * tell a user before sending. Lengths are configuration (announced in `welcome.limits`); the shapes are fixed.
 */

/** A room name: letters, digits and `_ . : -`, starting with a letter or digit (no braces: see Redis hash tags). */
export const ROOM_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** The same rule as an HTML `pattern` attribute (anchored implicitly, `-` escaped for the `v` flag). */
export const ROOM_NAME_HTML_PATTERN = '[A-Za-z0-9][A-Za-z0-9_.:\\-]*';

/** What is wrong with a room name, or undefined when it is fine. */
export function roomNameProblem(room: string, maxLength: number): string | undefined {
  if (room.length > 0 && room.length <= maxLength && ROOM_NAME_PATTERN.test(room)) return undefined;
  return (
    `room name must be 1-${maxLength} characters of letters, digits and _ . : - ` +
    'starting with a letter or digit'
  );
}

/** A user id, as tokens (`sub`), the server API and commands name users: 1-128 of letters, digits and `_ . : @ -`. */
export const USER_ID_PATTERN = '^[A-Za-z0-9_.:@-]+$';
export const USER_ID_MAX_LENGTH = 128;
const USER_ID = new RegExp(USER_ID_PATTERN);

/** Whether a string is a user id ({@link USER_ID_PATTERN}). */
export function isUserId(text: string): boolean {
  return text.length <= USER_ID_MAX_LENGTH && USER_ID.test(text);
}

/** What is wrong with a message text, as its reply error code, or undefined when it is fine. */
export function textProblem(text: string, maxLength: number): 'text_empty' | 'text_too_long' | undefined {
  if (text.trim().length === 0) return 'text_empty';
  if (text.length > maxLength) return 'text_too_long';
  return undefined;
}
