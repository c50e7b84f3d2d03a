import { useEffect, useState } from 'preact/hooks';
import type { ConnectionState } from '../../../client/index.js';

/**
 * Connected (the instance in a tooltip, for operators), degraded (connected, but the server cannot store messages
 * now), a reconnect countdown, or offline.
 */
export function ConnectionStatus({ state, degraded }: { state: ConnectionState; degraded?: string | null }) {
  const [now, setNow] = useState(Date.now());
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    const update = () => setOnline(navigator.onLine);
    addEventListener('online', update);
    addEventListener('offline', update);
    return () => {
      clearInterval(timer);
      removeEventListener('online', update);
      removeEventListener('offline', update);
    };
  }, []);
  let text: string;
  let kind: string = state.status;
  let title: string | undefined;
  if (!online) {
    text = 'Offline';
    kind = 'offline';
  } else if (state.status === 'connected' && degraded) {
    text = 'Can’t send now';
    kind = 'degraded';
    title = `The server cannot store messages right now (${degraded}); they are kept here to retry`;
  } else if (state.status === 'connected') {
    text = 'Connected';
    title = `Instance ${state.node}`;
  } else if (state.status === 'reconnecting') {
    const seconds = Math.max(0, Math.ceil((state.retryAt - now) / 1000));
    text = seconds > 0 ? `Reconnecting in ${seconds}s…` : 'Reconnecting…';
  } else if (state.status === 'connecting') text = 'Connecting…';
  else if (state.status === 'closed') text = `Disconnected (${state.reason || state.code})`;
  else text = 'Not connected';
  return (
    <div
      class="status"
      data-status={kind}
      data-node={state.status === 'connected' ? state.node : undefined}
      title={title}
      role="status"
      aria-live="polite"
    >
      <span class="dot" aria-hidden="true" />
      {text}
    </div>
  );
}
