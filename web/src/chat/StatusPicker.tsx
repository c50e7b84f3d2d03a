import { useState } from 'preact/hooks';
import type { UserStatus } from '../../../client/index.js';
import type { ChatStore } from './store.js';

/** Lines people often say, each with its emoji, one click away. */
const SUGGESTIONS: ReadonlyArray<{ emoji: string; text: string }> = [
  { emoji: '📅', text: 'In a meeting' },
  { emoji: '🍔', text: 'Out for lunch' },
  { emoji: '🤒', text: 'Out sick' },
  { emoji: '🏠', text: 'Working from home' },
  { emoji: '🌴', text: 'On holiday' },
];

/** When a status ends by itself, as offered (minutes from now; 0: not by itself; -1: at the end of today). */
const ENDS: ReadonlyArray<{ label: string; minutes: number }> = [
  { label: "Don't clear", minutes: 0 },
  { label: '30 minutes', minutes: 30 },
  { label: '1 hour', minutes: 60 },
  { label: '4 hours', minutes: 240 },
  { label: 'Today', minutes: -1 },
];

/** The end of a status chosen `minutes` from now (see {@link ENDS}). */
function untilOf(minutes: number, now = Date.now()): number | undefined {
  if (minutes === 0) return undefined;
  if (minutes > 0) return now + minutes * 60_000;
  const midnight = new Date(now);
  midnight.setHours(24, 0, 0, 0);
  return midnight.getTime();
}

/** A status as one line: its emoji and text, and "away" or "do not disturb" when set. */
export function statusLine(status: UserStatus | undefined): string {
  if (!status) return '';
  const availability =
    status.availability === 'dnd' ? 'Do not disturb' : status.availability === 'away' ? 'Away' : '';
  const said = [status.emoji, status.text].filter(Boolean).join(' ');
  return [said, availability].filter(Boolean).join(' · ');
}

/**
 * What this user says of themselves: available, away or do not disturb (no desktop notifications on any device),
 * a line with an emoji (or one of the usual ones), and when it ends by itself. Shown to everyone in their rooms.
 */
export function StatusPicker({ store, onClose }: { store: ChatStore; onClose: () => void }) {
  const current = store.statusOf(store.me.id);
  const [availability, setAvailability] = useState<UserStatus['availability'] | ''>(
    current?.availability ?? '',
  );
  const [emoji, setEmoji] = useState(current?.emoji ?? '');
  const [text, setText] = useState(current?.text ?? '');
  const [ends, setEnds] = useState(0);
  const save = async (status: UserStatus) => {
    await store.setStatus(status);
    onClose();
  };
  return (
    <form
      class="status-picker"
      aria-label="Your status"
      onSubmit={(event) => {
        event.preventDefault();
        const until = untilOf(ends);
        void save({
          ...(availability ? { availability } : {}),
          ...(emoji ? { emoji } : {}),
          ...(text.trim() ? { text: text.trim() } : {}),
          ...(until !== undefined ? { until } : {}),
        });
      }}
    >
      <fieldset>
        <legend class="small muted">Show me as</legend>
        {(
          [
            ['', 'Available'],
            ['away', 'Away'],
            ['dnd', 'Do not disturb'],
          ] as const
        ).map(([value, label]) => (
          <label key={value} class="small">
            <input
              type="radio"
              name="availability"
              value={value}
              checked={availability === value}
              onChange={() => setAvailability(value)}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
      <div class="status-line">
        <input
          aria-label="Status emoji"
          class="status-emoji"
          value={emoji}
          maxLength={8}
          placeholder="🙂"
          onInput={(event) => setEmoji((event.target as HTMLInputElement).value.trim())}
        />
        <input
          id="status-text"
          aria-label="What's your status?"
          value={text}
          maxLength={100}
          placeholder="What's your status?"
          onInput={(event) => setText((event.target as HTMLInputElement).value)}
        />
      </div>
      <ul class="status-suggestions">
        {SUGGESTIONS.map((s) => (
          <li key={s.text}>
            <button
              type="button"
              class="link small"
              onClick={() => {
                setEmoji(s.emoji);
                setText(s.text);
              }}
            >
              {s.emoji} {s.text}
            </button>
          </li>
        ))}
      </ul>
      <label class="small">
        Clear after{' '}
        <select
          value={String(ends)}
          onChange={(event) => setEnds(Number((event.target as HTMLSelectElement).value))}
        >
          {ENDS.map((end) => (
            <option key={end.label} value={String(end.minutes)}>
              {end.label}
            </option>
          ))}
        </select>
      </label>
      <div class="status-actions">
        <button type="submit">Save</button>
        {current && (
          <button type="button" class="link" onClick={() => void save({})}>
            Clear status
          </button>
        )}
        <button type="button" class="link" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
