import { useEffect, useRef, useState } from 'preact/hooks';
import type { LiveEvent } from '../../../src/cluster/operator-views.js';
import { timeOf } from '../format.js';

/** Events kept on screen. */
const KEEP = 200;

const LABEL: Record<LiveEvent['type'], string> = {
  message: 'message',
  join: 'joined',
  leave: 'left',
  disconnect: 'disconnected',
  slow_consumer: 'slow consumer closed',
  rate_limited: 'rate limited',
};

function detail(event: LiveEvent): string {
  if (event.type === 'message')
    return `${event.size ?? 0} B${event.text !== undefined ? `: ${event.text}` : ''}`;
  if (event.type === 'disconnect') return `close ${event.code ?? '?'}`;
  return event.reason ?? '';
}

/**
 * The cluster's live events, newest first: filtered by room and user on the server, capped per second there (what
 * did not fit is counted as dropped), and pausable.
 */
export function EventsPanel({ token }: { token: string }) {
  const [room, setRoom] = useState('');
  const [user, setUser] = useState('');
  const [paused, setPaused] = useState(false);
  const [events, setEvents] = useState<LiveEvent[]>([]);
  const [dropped, setDropped] = useState(0);
  const [texts, setTexts] = useState(false);
  const pausedRef = useRef(paused);
  pausedRef.current = paused;
  useEffect(() => {
    const params = new URLSearchParams();
    if (room.trim()) params.set('room', room.trim());
    if (user.trim()) params.set('user', user.trim());
    if (token) params.set('access_token', token);
    const source = new EventSource(`/api/events/stream?${params}`);
    setEvents([]);
    setDropped(0);
    source.addEventListener('ready', (event) => {
      setTexts((JSON.parse((event as MessageEvent<string>).data) as { text: boolean }).text);
    });
    source.addEventListener('events', (event) => {
      if (pausedRef.current) return;
      const batch = JSON.parse((event as MessageEvent<string>).data) as {
        events: LiveEvent[];
        dropped: number;
      };
      if (batch.dropped > 0) setDropped((d) => d + batch.dropped);
      if (batch.events.length > 0) setEvents((shown) => [...batch.events.reverse(), ...shown].slice(0, KEEP));
    });
    return () => source.close();
  }, [token, room, user]);
  return (
    <section class="panel" aria-label="Live events">
      <header class="panel-head">
        <h2>Live events</h2>
        <input
          id="feed-room"
          placeholder="Room"
          aria-label="Only events of this room"
          value={room}
          onChange={(e) => setRoom((e.target as HTMLInputElement).value)}
        />
        <input
          id="feed-user"
          placeholder="User"
          aria-label="Only events of this user"
          value={user}
          onChange={(e) => setUser((e.target as HTMLInputElement).value)}
        />
        <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </header>
      <p class="muted small">
        {texts ? 'Message texts shown (admin token).' : 'Message texts are shown only with an admin token.'}
        {dropped > 0 ? ` ${dropped} events not shown (more than the feed's rate).` : ''}
      </p>
      <ol class="events" data-testid="events">
        {events.length === 0 && <li class="muted">Waiting for events…</li>}
        {events.map((event, i) => (
          <li key={`${event.ts}-${event.node}-${i}`} data-type={event.type}>
            <time>{timeOf(event.ts)}</time>
            {/* kind-*: a bare `message` class would take the chat's message styles. */}
            <span class={`kind kind-${event.type}`}>{LABEL[event.type]}</span>
            <bdi class="who">{event.user?.name ?? '—'}</bdi>
            <span class="where">{event.room ? `#${event.room}` : ''}</span>
            <span class="what">{detail(event)}</span>
            <span class="muted small">{event.node}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
