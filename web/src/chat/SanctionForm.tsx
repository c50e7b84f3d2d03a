import { useEffect, useRef, useState } from 'preact/hooks';

/** The moderations that act on a person at once and are not undone by a click: each asks first. */
export type Sanction = 'kick' | 'ban' | 'mute';

/** How long a ban or a mute lasts; 0: until lifted. */
const DURATIONS: ReadonlyArray<readonly [string, number]> = [
  ['1 hour', 3_600_000],
  ['1 day', 86_400_000],
  ['1 week', 604_800_000],
  ['until lifted', 0],
];

/** The question around the person's name, and the button that answers it. */
const WORDING: Record<Sanction, { before: string; after: string; verb: string }> = {
  kick: { before: 'Remove ', after: ' from the room?', verb: 'Remove' },
  ban: { before: 'Ban ', after: '? They can neither come back nor read the room.', verb: 'Ban' },
  mute: { before: 'Mute ', after: '? They can read, not send.', verb: 'Mute' },
};

/** What the moderator chose: the reason they give (kick, ban) and when it ends by itself (ban, mute). */
export interface SanctionChoice {
  reason?: string;
  until?: number;
}

/**
 * Asks before a kick, a ban or a mute (one click on the wrong row must not remove someone), with what a moderator
 * gives with it: a reason the person is told (kick, ban) and how long it lasts (ban, mute), as the protocol takes.
 */
export function SanctionForm(props: {
  action: Sanction;
  name: string;
  onConfirm: (choice: SanctionChoice) => void;
  onCancel: () => void;
}) {
  const { action, name, onConfirm, onCancel } = props;
  const [reason, setReason] = useState('');
  // A mute is usually for a while, a ban for good.
  const [duration, setDuration] = useState(action === 'mute' ? 3_600_000 : 0);
  const first = useRef<HTMLSelectElement & HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const wording = WORDING[action];
  return (
    <form
      class="sanction"
      aria-label={`${wording.before}${name}${wording.after}`}
      onKeyDown={(event) => {
        if (event.key === 'Escape') onCancel();
      }}
      onSubmit={(event) => {
        event.preventDefault();
        const choice: SanctionChoice = {};
        if (action !== 'mute' && reason.trim() !== '') choice.reason = reason.trim();
        if (action !== 'kick' && duration > 0) choice.until = Date.now() + duration;
        onConfirm(choice);
      }}
    >
      <p>
        {wording.before}
        <bdi>{name}</bdi>
        {wording.after}
      </p>
      {action !== 'kick' && (
        <label>
          For{' '}
          <select
            ref={first}
            value={String(duration)}
            onChange={(event) => setDuration(Number((event.target as HTMLSelectElement).value))}
          >
            {DURATIONS.map(([label, ms]) => (
              <option key={ms} value={String(ms)}>
                {label}
              </option>
            ))}
          </select>
        </label>
      )}
      {action !== 'mute' && (
        <input
          ref={action === 'kick' ? first : undefined}
          value={reason}
          maxLength={500}
          placeholder="Reason (optional, they are told)"
          aria-label="Reason"
          onInput={(event) => setReason((event.target as HTMLInputElement).value)}
        />
      )}
      <span class="buttons">
        <button type="submit" class="danger">
          {wording.verb}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </span>
    </form>
  );
}
