/**
 * The words of a search (docs/protocol.md, "Finding messages"), shared by the server, which matches them, and
 * clients, which may show what matched.
 */

/** Most words a search takes, and the longest one (a longer word is cut: it still matches as a prefix). */
export const SEARCH_MAX_WORDS = 8;
export const SEARCH_MAX_WORD_LENGTH = 64;
/** The longest query, and the longest cursor (`next`) a search takes back, in UTF-16 units. */
export const SEARCH_MAX_QUERY_LENGTH = 500;
export const SEARCH_MAX_CURSOR_LENGTH = 200;

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * The words of a search, or of a message: runs of letters and digits, lower-cased, each once, in order.
 * Punctuation, emoji and white space separate them.
 */
export function searchWords(text: string): string[] {
  return [...new Set(text.toLowerCase().match(WORD) ?? [])];
}

/**
 * Where the words of `text` start with a searched word: `[start, end)` ranges of `text`, in order, each the longest
 * searched word that starts the text's word (the whole word when lower-casing changed its length).
 */
export function matchedRanges(text: string, words: readonly string[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    const lower = word.toLowerCase();
    let best = '';
    for (const searched of words)
      if (lower.startsWith(searched) && searched.length > best.length) best = searched;
    if (best === '') continue;
    const start = match.index;
    ranges.push([start, start + (lower.length === word.length ? best.length : word.length)]);
  }
  return ranges;
}
