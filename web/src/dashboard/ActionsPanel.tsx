import { useEffect, useState } from 'preact/hooks';
import { timeOf } from '../format.js';
import { call } from './api.js';

interface Inspected {
  room: string;
  details?: { name: string; kind: string; memberCount?: number; archived?: boolean; topic?: string };
  members?: Array<{ user: { id: string; name: string }; role: string }>;
  presence: Array<{ id: string; name: string }>;
  position: { offset: number; epoch: string };
  history: Array<{ offset: number; from: { name: string }; text: string; ts: number }>;
}

/** Reads what is known of a room; parts a server does not have (stored rooms, with --store redis) are left out. */
async function inspect(token: string, room: string): Promise<Inspected> {
  const path = `/api/rooms/${encodeURIComponent(room)}`;
  const optional = <T,>(promise: Promise<T>) => promise.catch(() => undefined);
  const [details, members, presence, history] = await Promise.all([
    optional(call<{ room: Inspected['details'] }>(token, path)),
    optional(call<{ members: Inspected['members'] }>(token, `${path}/members?limit=100`)),
    call<{ users: Inspected['presence'] }>(token, `${path}/presence`),
    call<{ messages: Inspected['history']; position: Inspected['position'] }>(
      token,
      `${path}/history?limit=20`,
    ),
  ]);
  const inspected: Inspected = {
    room,
    presence: presence.users,
    position: history.position,
    history: history.messages,
  };
  if (details?.room) inspected.details = details.room;
  if (members?.members) inspected.members = members.members;
  return inspected;
}

/**
 * What the admin token allows from here: a system message to a room, disconnecting a user on every instance, and
 * a look into a room (its members, who is present, its position and its last messages). Through the server API.
 */
export function ActionsPanel({
  token,
  disconnectTarget,
  onDisconnected,
}: {
  token: string;
  /** A user picked in the connections list. */
  disconnectTarget: string;
  /** A user's connections are being closed. */
  onDisconnected: () => void;
}) {
  const [room, setRoom] = useState('lobby');
  const [text, setText] = useState('');
  const [user, setUser] = useState(disconnectTarget);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | null>(null);
  const [inspected, setInspected] = useState<Inspected | null>(null);
  // A user picked in the connections list is the one to disconnect.
  useEffect(() => {
    if (disconnectTarget) setUser(disconnectTarget);
  }, [disconnectTarget]);
  const run = async (work: () => Promise<string>) => {
    try {
      setOutcome({ ok: true, text: await work() });
    } catch (error) {
      setOutcome({ ok: false, text: (error as Error).message });
    }
  };
  if (!token) {
    return (
      <section class="panel" aria-label="Actions">
        <h2>Actions</h2>
        <p class="muted">
          Disconnecting users, system messages and looking into rooms need the admin token: start Parley with{' '}
          <code>--admin-token</code> and open this page again.
        </p>
      </section>
    );
  }
  return (
    <section class="panel" aria-label="Actions">
      <h2>Actions</h2>
      <form
        class="action"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            const path = `/api/rooms/${encodeURIComponent(room.trim())}/messages`;
            await call(token, path, { method: 'POST', body: { text } });
            setText('');
            return `System message sent to #${room.trim()}`;
          });
        }}
      >
        <label for="action-room">Room</label>
        <input
          id="action-room"
          value={room}
          required
          onInput={(e) => setRoom((e.target as HTMLInputElement).value)}
        />
        <label for="action-text">System message</label>
        <input
          id="action-text"
          value={text}
          required
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
        />
        <button type="submit">Send</button>
        <button
          type="button"
          onClick={() =>
            void run(async () => {
              setInspected(await inspect(token, room.trim()));
              return `#${room.trim()} inspected`;
            })
          }
        >
          Inspect room
        </button>
      </form>
      <form
        class="action"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            const path = `/api/users/${encodeURIComponent(user.trim())}/disconnect`;
            await call(token, path, { method: 'POST', body: { reason: 'disconnected from the dashboard' } });
            onDisconnected();
            return `Every connection of ${user.trim()} is being closed`;
          });
        }}
      >
        <label for="action-user">User id</label>
        <input
          id="action-user"
          value={user}
          required
          onInput={(e) => setUser((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="danger">
          Disconnect everywhere
        </button>
      </form>
      {outcome && (
        <p class={outcome.ok ? 'good' : 'error'} role="status" data-testid="action-outcome">
          {outcome.text}
        </p>
      )}
      {inspected && (
        <div class="inspected" data-testid="inspected">
          <h3>#{inspected.room}</h3>
          <p class="small">
            {inspected.details
              ? `${inspected.details.name} · ${inspected.details.kind}${inspected.details.archived ? ' · archived' : ''} · `
              : 'open channel · '}
            position {inspected.position.offset} (epoch {inspected.position.epoch})
          </p>
          <p class="small">
            <strong>Present ({inspected.presence.length}):</strong>{' '}
            {inspected.presence.map((u) => u.name).join(', ') || 'nobody'}
          </p>
          {inspected.members && (
            <p class="small">
              <strong>Members ({inspected.members.length}):</strong>{' '}
              {inspected.members.map((m) => `${m.user.name} (${m.role})`).join(', ')}
            </p>
          )}
          <ol class="history">
            {inspected.history.map((m) => (
              <li key={m.offset}>
                <span class="muted small">
                  {m.offset} · {timeOf(m.ts)}
                </span>{' '}
                <bdi>{m.from.name}</bdi>: {m.text}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
