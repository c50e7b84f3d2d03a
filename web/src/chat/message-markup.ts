/**
 * The little formatting people type in chats, read from a message's plain text: ```code blocks```, `> quoted` lines,
 * `inline code`, **bold**, *italic* or _italic_, ~~struck~~. The result is data (text, and which of these wraps it), which the page
 * renders as elements with text nodes: nothing of a message is ever HTML. The protocol carries the text as typed.
 */

import { linkTarget, URL_PATTERN } from './Linkified.js';

/** A piece of a message: plain text (links are found in it later), or formatting around more pieces. */
export type Markup =
  | { kind: 'text'; text: string }
  | { kind: 'code'; text: string }
  | { kind: 'block'; text: string }
  | { kind: 'strong' | 'em' | 'del' | 'quote'; children: Markup[] };

/** A fenced block: three backquotes, an optional language word on the opening line (not shown), three to close. */
const FENCE = /```(?:[A-Za-z0-9_+-]*[ \t]*\n)?([\s\S]*?)\n?```/g;

/**
 * Inline formatting, one line at most, around something that does not start or end with a space (so `2 * 3 * 4`
 * and `a ** b` stay text). An underscore or a star counts only away from letters and digits (`snake_case_name`,
 * `2*3*4`, and underscores inside URLs stay as they are), and not after a backslash (the shrug `¯\_(ツ)_/¯` stays whole).
 */
const INLINE =
  /(?<!`)`([^`\n]+)`(?!`)|\*\*(?=\S)([^\n]*?\S)\*\*|~~(?=\S)([^\n]*?\S)~~|(?<![\p{L}\p{N}*\\])\*(?=[^\s*])([^\n*]*?[^\s*])\*(?![\p{L}\p{N}*])|(?<![\p{L}\p{N}_\\])_(?=[^\s_])([^\n_]*?[^\s_])_(?![\p{L}\p{N}_])/gu;

function inline(text: string): Markup[] {
  const pieces: Markup[] = [];
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    const start = match.index ?? 0;
    if (start > last) pieces.push({ kind: 'text', text: text.slice(last, start) });
    const [, code, strong, del, starred, underscored] = match;
    if (code !== undefined) pieces.push({ kind: 'code', text: code });
    else if (strong !== undefined) pieces.push({ kind: 'strong', children: inline(strong) });
    else if (del !== undefined) pieces.push({ kind: 'del', children: inline(del) });
    else pieces.push({ kind: 'em', children: inline((starred ?? underscored) as string) });
    last = start + match[0].length;
  }
  if (last < text.length) pieces.push({ kind: 'text', text: text.slice(last) });
  return pieces;
}

/** A quoted line: `>` then a space (or nothing), at the start of a line, as in e-mail, Slack and Markdown. */
const QUOTED = /^>(?: |$)/;

/**
 * Text outside code blocks: runs of quoted lines become a quote (their `> ` taken off, their own formatting kept), the
 * rest is inline formatting. The line break before and after a quote is the quote's own edge.
 */
function quotesAndInline(text: string): Markup[] {
  if (!text.includes('>')) return inline(text);
  const pieces: Markup[] = [];
  let run: string[] = [];
  let quoting = false;
  const flush = () => {
    if (run.length === 0) return;
    const joined = run.join('\n');
    if (quoting) pieces.push({ kind: 'quote', children: inline(joined) });
    else pieces.push(...inline(joined));
    run = [];
  };
  for (const line of text.split('\n')) {
    const quoted = QUOTED.test(line);
    if (quoted !== quoting) {
      flush();
      quoting = quoted;
    }
    run.push(quoted ? line.replace(/^> ?/, '') : line);
  }
  flush();
  return pieces;
}

/** A message's text as pieces: blocks of code as they are, the rest with its quotes and inline formatting. */
export function markupOf(text: string): Markup[] {
  const pieces: Markup[] = [];
  let last = 0;
  for (const match of text.matchAll(FENCE)) {
    const start = match.index ?? 0;
    const code = match[1] ?? '';
    // An empty fence is no block: leave the backquotes as typed.
    if (code.trim() === '') continue;
    // The line break before and after a block is the block's own edge.
    if (start > last) pieces.push(...quotesAndInline(text.slice(last, start).replace(/\n$/, '')));
    pieces.push({ kind: 'block', text: code });
    last = start + match[0].length;
    if (text[last] === '\n') last += 1;
  }
  if (last < text.length) pieces.push(...quotesAndInline(text.slice(last)));
  return pieces;
}

/** The first http(s) link of a message's text outside code (the one a preview is shown for), if any. */
export function firstLink(text: string): string | undefined {
  const visit = (pieces: Markup[]): string | undefined => {
    for (const piece of pieces) {
      if (piece.kind === 'text') {
        for (const match of piece.text.matchAll(URL_PATTERN)) {
          const url = linkTarget(match[0]);
          if (url) return url;
        }
      } else if ('children' in piece) {
        const found = visit(piece.children);
        if (found) return found;
      }
    }
    return undefined;
  };
  return visit(markupOf(text));
}
