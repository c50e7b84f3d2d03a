/** Display helpers. */

export function timeOf(ts: number): string {
  return new Date(ts).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** A day label: Today, Yesterday, or the date. */
export function dayOf(ts: number, now = Date.now()): string {
  const day = new Date(ts);
  const today = new Date(now);
  const startOf = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const diff = Math.round((startOf(today) - startOf(day)) / 86_400_000);
  if (diff === 0) return 'Today';
  if (diff === 1) return 'Yesterday';
  return day.toLocaleDateString([], { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}

/** When something ends (a ban, a mute): "until 14:30" today, else with its day ("until Mon, Dec 7, 14:30"). */
export function untilOf(ts: number, now = Date.now()): string {
  if (dayKey(ts) === dayKey(now)) return `until ${timeOf(ts)}`;
  const day = new Date(ts).toLocaleDateString([], { weekday: 'short', month: 'short', day: 'numeric' });
  return `until ${day}, ${timeOf(ts)}`;
}

export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/**
 * "Alice is typing", "Alice and Bob are typing", "4 people are typing". Who is typing, as parts of a line: the names (each to be shown isolated, in a `<bdi>`, so that a right-to-left
 * name cannot reorder the words next to it) and the plain text between them.
 */
export function typingLine(names: string[]): Array<string | { name: string }> {
  const named = names.map((name) => ({ name }));
  if (named.length === 0) return [];
  if (named.length === 1) return [named[0] as { name: string }, ' is typing…'];
  if (named.length <= 3) {
    const first = named.slice(0, -1).flatMap((part, i) => (i === 0 ? [part] : [', ', part]));
    return [...first, ' and ', named.at(-1) as { name: string }, ' are typing…'];
  }
  return [`${named.length} people are typing…`];
}

/** When a message was written, short (a search result, a pin): the time today, else the day ("Dec 5", "Dec 5, 2025" in another year). */
export function whenOf(ts: number, now = Date.now()): string {
  if (dayKey(ts) === dayKey(now)) return timeOf(ts);
  const day = new Date(ts);
  const year = day.getFullYear() === new Date(now).getFullYear() ? {} : { year: 'numeric' as const };
  return day.toLocaleDateString([], { month: 'short', day: 'numeric', ...year });
}

/** A size in bytes as people read it: 512 B, 3.4 KB, 12 MB. */
export function sizeOf(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/**
 * What stands for a message's text when it has none but files: "📎 a file", "📎 3 files"; marked ↪ when the message
 * is a forward (a room list's preview: its own text, or when it has none the forwarded one's).
 */
export function textOrFiles(text: string, files: number | undefined, forwarded?: boolean): string {
  const shown = text !== '' || !files ? text : files === 1 ? '📎 a file' : `📎 ${files} files`;
  return forwarded ? `↪ ${shown}` : shown;
}

/**
 * A message in one line (a quote, a list, a notification): its text, or what it carries: files, or the message it
 * forwards (marked ↪).
 */
export function summaryOf(message: {
  text: string;
  files?: readonly unknown[] | undefined;
  forwarded?: { text: string; files?: readonly unknown[] } | undefined;
}): string {
  const { forwarded } = message;
  if (!forwarded || message.text !== '' || message.files)
    return textOrFiles(message.text, message.files?.length, forwarded !== undefined);
  return textOrFiles(forwarded.text, forwarded.files?.length, true);
}
