import { useState } from 'preact/hooks';
import { LaterTimes } from './LaterTimes.js';

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
  return (
    <span class="schedule">
      <button
        type="button"
        class="schedule-toggle"
        aria-label="Schedule for later"
        aria-expanded={open}
        title={why ?? 'Schedule for later'}
        disabled={disabled}
        onClick={() => setOpen(!open)}
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
        <div class="schedule-menu">
          <LaterTimes
            legend="Send later"
            action="Schedule"
            onPick={(at) =>
              void onPick(at).then((done) => {
                if (done) setOpen(false);
              })
            }
          />
        </div>
      )}
    </span>
  );
}
