import { useState } from 'preact/hooks';
import { suggestedTimes } from './scheduled-list.js';

/** A `datetime-local` input's value for a time (local, to the minute). */
function localInput(at: number): string {
  const d = new Date(at);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A choice of a time to come (send later, remind me): the times offered first, and a time of one's own (an hour from
 * now to start with). `soon` offers "In 20 minutes" too (a reminder's).
 */
export function LaterTimes({
  legend,
  action,
  soon = false,
  onPick,
}: {
  legend: string;
  /** The button that takes a time of one's own ("Schedule", "Remind me"). */
  action: string;
  soon?: boolean;
  onPick: (at: number) => void;
}) {
  const [custom, setCustom] = useState(() => localInput(Date.now() + 3_600_000));
  const customAt = custom === '' ? Number.NaN : new Date(custom).getTime();
  return (
    <fieldset class="later-times">
      <legend class="small muted">{legend}</legend>
      {suggestedTimes(new Date(), soon).map(({ label, at }) => (
        <button key={label} type="button" class="later-option" onClick={() => onPick(at)}>
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
        class="later-option custom"
        disabled={!(customAt > Date.now())}
        onClick={() => onPick(customAt)}
      >
        {action}
      </button>
    </fieldset>
  );
}
