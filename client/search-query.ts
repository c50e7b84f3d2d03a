/**
 * What people type into a search box, as a `search` asks it (docs/protocol.md, "Finding messages"): words, and the
 * filters written as Slack and Mattermost users write them. `from:` and `in:` name a person and a room as people
 * see them: the caller turns those into ids, knowing who and which rooms there are.
 */
import type { SearchCommand } from './wire/commands.js';

/** A search box's text taken apart: the words left, and the filters found in it. */
export interface TypedSearch {
  /** The text without its filters: the search's `query`. */
  words: string;
  /** `from:@Name`, `from:Name` or `from:@"Two Words"`: the person as typed, without the `@`. */
  from?: string;
  /** `in:#room` or `in:Name`: the room as typed, without the `#`. */
  in?: string;
  has?: SearchCommand['has'];
  /** From `after:` or `on:`: the start of the next or of that day, in local time (ms since the Unix epoch). */
  since?: number;
  /** From `before:` or `on:`: the start of that or of the next day, in local time. */
  until?: number;
  /** What could not be read (a date that is none, a `has:` of something else), to show instead of searching. */
  problem?: string;
}

const FILTER = /(?<=^|\s)(from|in|has|before|after|on):(?:[@#]?"([^"]*)"|(\S*))/gi;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The start of a day in local time: `YYYY-MM-DD`, `today` or `yesterday`; undefined for anything else. */
function dayStart(text: string, now: Date): Date | undefined {
  const lower = text.toLowerCase();
  if (lower === 'today' || lower === 'yesterday') {
    return new Date(now.getFullYear(), now.getMonth(), now.getDate() - (lower === 'yesterday' ? 1 : 0));
  }
  const match = DAY.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = new Date(year, month - 1, day);
  // 2026-02-30 is no day (Date would make it March's second).
  return start.getFullYear() === year && start.getMonth() === month - 1 && start.getDate() === day
    ? start
    : undefined;
}

/** The start of the day after `day`, in local time (a day is not always 24 hours long). */
function nextDay(day: Date): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1);
}

/**
 * Takes a search box's text apart: `from:`, `in:`, `has:file` or `has:link`, `before:`, `after:` and `on:` (a day
 * as `YYYY-MM-DD`, `today` or `yesterday`, in local time; `after:` a day means from the next day on, as in Slack).
 * The names of filters are read whatever their case; anything else that holds a colon stays among the words
 * (`10:30`, a web address). A filter given twice: the last one counts, but times narrow (`after:` and `before:`
 * together make a range).
 */
export function parseSearch(text: string, now: Date = new Date()): TypedSearch {
  const found: TypedSearch = { words: '' };
  const problems: string[] = [];
  const words = text.replace(FILTER, (_whole, name: string, quoted?: string, bare?: string) => {
    const value = (quoted ?? bare ?? '').trim();
    const filter = name.toLowerCase();
    if (value === '') {
      problems.push(`${filter}: needs something after the colon`);
      return ' ';
    }
    if (filter === 'from') found.from = value.replace(/^@/, '');
    else if (filter === 'in') found.in = value.replace(/^#/, '');
    else if (filter === 'has') {
      const has = value.toLowerCase().replace(/s$/, '');
      if (has === 'file' || has === 'link') found.has = has;
      else problems.push(`has:${value}: only has:file and has:link`);
    } else {
      const day = dayStart(value, now);
      if (!day) problems.push(`${filter}:${value}: a day is YYYY-MM-DD, today or yesterday`);
      else {
        const since = filter === 'after' ? nextDay(day) : filter === 'on' ? day : undefined;
        const until = filter === 'before' ? day : filter === 'on' ? nextDay(day) : undefined;
        if (since) found.since = Math.max(found.since ?? 0, since.getTime());
        if (until) found.until = Math.min(found.until ?? Number.MAX_SAFE_INTEGER, until.getTime());
      }
    }
    return ' ';
  });
  found.words = words.replace(/\s+/g, ' ').trim();
  if (problems.length > 0) found.problem = problems.join('; ');
  return found;
}
