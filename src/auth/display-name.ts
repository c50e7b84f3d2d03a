/**
 * The one rule for display names, whoever chose them (an anonymous user, or the `name` claim of a token).
 *
 * Refused: control characters (NUL, TAB, escape sequences), the Unicode line and paragraph separators, and the
 * bidirectional formatting characters (embeddings, overrides, isolates, marks). The last are how a name (or a link
 * label) is made to read as something else: `https://example.com/\u202Eevil` displays as "https://example.com/live".
 * HTML is not refused: names are text everywhere they are shown, never markup.
 */
const UNSAFE = /[\p{Cc}\u2028\u2029\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');

/** True when `name` holds a character no display name may hold. */
export function hasUnsafeNameCharacters(name: string): boolean {
  return UNSAFE.test(name);
}

/** A name given as it is to be kept (a backend's user, a webhook): trimmed, or undefined when it breaks the rule. */
export function checkedDisplayName(raw: string, maxLength: number): string | undefined {
  const name = raw.trim();
  return name.length === 0 || [...name].length > maxLength || hasUnsafeNameCharacters(name)
    ? undefined
    : name;
}

/** What a refusal of {@link checkedDisplayName} says of the rule. */
export const displayNameRule = (maxLength: number): string =>
  `1-${maxLength} characters, without control or bidirectional formatting characters`;

/**
 * A display name made safe: unsafe characters removed, white space at the ends trimmed, at most `maxLength`
 * characters (code points: a surrogate pair is never cut in half). Empty when nothing printable was left.
 */
export function cleanDisplayName(raw: string, maxLength: number): string {
  return [...raw.replace(UNSAFE_ALL, '').trim()].slice(0, maxLength).join('').trim();
}
