import { useState } from 'preact/hooks';
import { suggestedTimes } from './scheduled-list.js';

/** A `datetime-local` input's value for a time (local, to the minute). */
function localInput(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The clock beside Send: "send later". It opens the times offered first (in an hour, tomorrow at 9, Monday at 9)
 * and a time of one's choosing; a pick schedules the box's text (`onPick`), which empties the box once the server
 * took it.
 */
export function SchedulePicker({
  disabled,
  why,
  onPick,
}: {
  disabled: boolean;
  /** Why it is disabled, as its tooltip (files cannot be scheduled). */
  why?: string;
  onPick: (at: number) => Promise<boolean>;
}) {
  const [open, setOpen] = useState(false);
  const [custom, setCustom] = useState('');
  const pick = async (at: number) => {
    if (await onPick(at)) setOpen(false);
  };
  const customAt = custom === '' ? Number.NaN : new Date(custom).getTime();
  return (
    <span class="schedule">
      <button
        type="button"
        class="schedule-toggle"
        aria-label="Schedule for later"
        aria-expanded={open}
        title={why ?? 'Schedule for later'}
        disabled={disabled}
        onClick={() => {
          setCustom(localInput(Date.now() + 3_600_000));
          setOpen(!open);
        }}
      >
        <svg viewBox="0 0 16 16" width="18" height="18" aria-hidden="true">
          <circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.5" />
          <path
            d="M8 4v4.3l2.8 1.7"
            fill="none"
            stroke="currentColor"
            stroke-width="1.5"
            stroke-linecap="round"
          />
        </svg>
      </button>
      {open && !disabled && (
        <fieldset class="schedule-menu">
          <legend class="small muted">Send later</legend>
          {suggestedTimes(new Date()).map(({ label, at }) => (
            <button key={label} type="button" class="schedule-option" onClick={() => void pick(at)}>
              {label}
            </button>
          ))}
          <label class="small">
            At
            <input
              type="datetime-local"
              value={custom}
              min={localInput(Date.now())}
              onInput={(event) => setCustom((event.target as HTMLInputElement).value)}
            />
          </label>
          <button
            type="button"
            class="schedule-option custom"
            disabled={!(customAt > Date.now())}
            onClick={() => void pick(customAt)}
          >
            Schedule
          </button>
        </fieldset>
      )}
    </span>
  );
}
