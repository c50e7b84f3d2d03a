import type { SearchCursor, SearchFilter } from './message-search.js';

/**
 * How much one search may ask of the database (DatabaseLog.search), whatever its words and however many messages
 * are stored. Measured on PostgreSQL (docs/storage.md, "Search"): the words index reads ~0.5 us per entry of a word
 * (a prefix such as `a:*` is every word that starts with it), checking a message it found costs ~2 us, and reading
 * a message and making its words ~8 us; so each bound is a few tens of milliseconds at most.
 */
export interface SearchBounds {
  /** Pages of messages sampled at random to tell how common each word is. */
  samplePages: number;
  /** Most messages the words index may hand over (those holding every word it looks up, by the sample). */
  candidatesMax: number;
  /** Most entries the words index may read for the words it looks up (by the sample). */
  entriesMax: number;
  /** Most messages one walk through the rooms reads, newest first, before it stops and says where. */
  walkMax: number;
}

export const SEARCH_BOUNDS: SearchBounds = {
  samplePages: 32,
  candidatesMax: 10_000,
  entriesMax: 100_000,
  walkMax: 2_500,
};

/**
 * The words of a text as search finds them (runs of letters and digits: docs/protocol.md, "Finding messages"), as
 * SQL on the text `column`: every run of ASCII punctuation (the code ranges ! to /, : to @, [ to ` and { to ~) made
 * a space, then the 'simple' configuration's words. Without the spaces PostgreSQL's parser keeps a web address, an
 * e-mail address or a file path as one token. On the column `text`, this is the expression migration 022 indexes,
 * word for word: the planner uses the index only for it. (A regular expression: `translate` of the same characters
 * cost ~6 us a message more, which tripled the searches that make each message's words as they read them.)
 */
export function textWords(column: string): string {
  return `to_tsvector('simple', regexp_replace(${column}, '[!-/:-@[-\`{-~]+', ' ', 'g'))`;
}

/** A word of the search in `to_tsquery` syntax: the start of a word (letters and digits only: no syntax of its own). */
const prefix = (word: string) => `${word}:*`;

/**
 * The random sample that tells how common each word is, and each combination of them: the sampled messages grouped
 * by which of the words they hold (bit i: word i), and how many pages the table has. The sample is of the whole
 * table, as the words index is: what it costs to read a word there depends on every room's messages, and no user can
 * sway a random sample as they could the newest messages. `TABLESAMPLE SYSTEM` reads whole pages, a page's worth of
 * messages for one random read; the same pages for a minute (the seed is the minute), so that searches in a row
 * find them in memory (a fresh random page of a large table is a read from disk: 20 ms for 32, against 1).
 */
export function sampleStatement(
  words: readonly string[],
  bounds: SearchBounds,
): [string, Array<string | string[]>] {
  const pages = `(pg_relation_size('parley_messages') / current_setting('block_size')::int)`;
  const bits = words.map(
    (_, i) => `(CASE WHEN v @@ to_tsquery('simple', $${i + 2}) THEN ${2 ** i} ELSE 0 END)`,
  );
  // A message's words are made only when its text holds one of the words at all (a quarter of the cost for rare ones).
  return [
    `SELECT ${pages} AS pages, mask, count(*) AS messages FROM (
       SELECT ${bits.join(' + ')} AS mask
       FROM parley_messages m TABLESAMPLE SYSTEM (least(100, ${bounds.samplePages * 100}.0 / greatest(1, ${pages})))
         REPEATABLE (floor(extract(epoch FROM now()) / 60))
       CROSS JOIN LATERAL (
         SELECT CASE WHEN lower(m.text) LIKE ANY ($1::text[]) THEN ${textWords('m.text')} END AS v) t
       WHERE m.event IS NULL AND m.action IS NULL AND m.deleted_at IS NULL) sampled
     GROUP BY mask`,
    [likePatterns(words), ...words.map(prefix)],
  ];
}

/** A row of the sample: the table's pages, which of the words (bits) and how many sampled messages hold just those. */
export interface SampleRow {
  pages: string | number;
  mask: string | number | null;
  messages: string | number;
}

/**
 * How many messages of the whole table hold every word of a set (bits), by the sample: scaled from its pages to the
 * table's (exact when the table is small enough to be read whole).
 */
export type Estimate = (words: number) => number;

export function estimator(rows: readonly SampleRow[], bounds: SearchBounds): Estimate {
  const scale = Math.max(1, Number(rows[0]?.pages ?? 0) / bounds.samplePages);
  const groups = rows.map((row) => ({ mask: Number(row.mask ?? 0), messages: Number(row.messages) }));
  return (words) =>
    groups.reduce((sum, group) => ((group.mask & words) === words ? sum + group.messages : sum), 0) * scale;
}

/**
 * Which words the words index looks up: the rarest first, as long as the entries it reads for them stay within
 * `entriesMax`, and only when the messages they hand over together stay within `candidatesMax` (each is read to
 * check the other words and sorted); the other words are checked on each of those messages. None (walk the rooms
 * instead) when no such set exists: every word is in a good part of all messages.
 */
export function indexWords(
  words: readonly string[],
  estimate: Estimate,
  bounds: SearchBounds,
): { looked: string[]; checked: string[] } | undefined {
  const order = words
    .map((word, i) => ({ word, bit: 2 ** i, count: estimate(2 ** i) }))
    .sort((a, b) => a.count - b.count);
  const looked: string[] = [];
  const checked: string[] = [];
  let entries = 0;
  let bits = 0;
  for (const { word, bit, count } of order) {
    if (entries + count <= bounds.entriesMax) {
      looked.push(word);
      entries += count;
      bits |= bit;
    } else {
      checked.push(word);
    }
  }
  if (looked.length === 0 || estimate(bits) > bounds.candidatesMax) return undefined;
  return { looked, checked };
}

/** The order of results, newest first (time, then room byte-wise, then offset), on the columns of `of`. */
export function resultOrder(of: string): string {
  return `${of}ts DESC, ${of}room COLLATE "C" DESC, ${of}"offset" DESC`;
}

/** The words as one `to_tsquery` (every word the start of a word of the message). */
export function tsquery(words: readonly string[]): string {
  return words.map(prefix).join(' & ');
}

/** `LIKE` patterns a message's lower-cased text must match before its words are made (a word it starts is in it). */
export function likePatterns(words: readonly string[]): string[] {
  return words.map((word) => `%${word}%`);
}

/**
 * The walks a search through the rooms makes, as messages to read in all: first an eighth of `walkMax` (common words
 * fill a page in the first few messages of each room), then the rest from where it stopped.
 */
export function walkSteps(bounds: SearchBounds): number[] {
  const first = Math.max(1, Math.ceil(bounds.walkMax / 8));
  return bounds.walkMax > first ? [first, bounds.walkMax - first] : [first];
}

/** The newest messages of each room to read in a walk of `rows`: shared among the rooms, at least one each. */
export function walkPerRoom(rooms: readonly string[], rows: number): number {
  return Math.max(1, Math.ceil(rows / Math.max(1, new Set(rooms).size)));
}

/**
 * The condition that keeps a room's messages after the cursor, in the order of results (time, then room, then
 * offset, newest first), as one row comparison on the room's own index (time, offset): in a room that sorts before
 * the cursor's, every message of the cursor's millisecond is after it; in one after, none; in the cursor's room,
 * those of lower offset. `room` is the SQL of the walked room's name; the cursor's values are pushed to `params`.
 */
export function afterInRoom(room: string, before: SearchCursor, params: unknown[]): string {
  const ts = `$${params.push(before.ts)}`;
  const cursorRoom = `$${params.push(before.room)}::text COLLATE "C"`;
  const offset = `$${params.push(before.offset)}::bigint`;
  return `(m.ts, m."offset") < (${ts}, CASE WHEN ${room} COLLATE "C" < ${cursorRoom} THEN 9223372036854775807
    WHEN ${room} COLLATE "C" > ${cursorRoom} THEN -1 ELSE ${offset} END)`;
}

/**
 * A search's filters as SQL on the columns of `m` (values pushed to `params`): `range`, the times, which bound a
 * walk through a room's newest-first index (time, offset) without reading more of it; `rest`, the sender and what
 * the message carries, checked on each message read (as a walk's match, so that its reads stay bounded).
 */
export function filterConditions(
  filter: SearchFilter,
  params: unknown[],
): { range: string[]; rest: string[] } {
  const range: string[] = [];
  const rest: string[] = [];
  if (filter.since !== undefined) range.push(`m.ts >= $${params.push(filter.since)}::bigint`);
  if (filter.until !== undefined) range.push(`m.ts < $${params.push(filter.until)}::bigint`);
  if (filter.from !== undefined) rest.push(`m.sender_id = $${params.push(filter.from)}::text`);
  if (filter.has === 'file') rest.push('m.files IS NOT NULL');
  // The memory store's pattern (message-search.ts), case-insensitive.
  if (filter.has === 'link') rest.push(`m.text ~* 'https?://'`);
  return { range, rest };
}
