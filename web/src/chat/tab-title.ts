import { useEffect } from 'preact/hooks';
import type { ChatStore } from './store.js';

/** The favicon as shipped, and the same with an unread dot, drawn once. */
const PLAIN_ICON = '/favicon.svg';
let badgedIcon: string | undefined;

function iconWithDot(): string {
  if (badgedIcon) return badgedIcon;
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#4f46e5"/>' +
    '<path d="M16 20a6 6 0 0 1 6-6h20a6 6 0 0 1 6 6v14a6 6 0 0 1-6 6H30l-9 8v-8h1a6 6 0 0 1-6-6z" fill="#fff"/>' +
    '<circle cx="50" cy="14" r="13" fill="#ef4444" stroke="#fff" stroke-width="3"/></svg>';
  badgedIcon = `data:image/svg+xml,${encodeURIComponent(svg)}`;
  return badgedIcon;
}

function setIcon(href: string): void {
  const link = document.querySelector<HTMLLinkElement>('link[rel="icon"]');
  if (link && link.getAttribute('href') !== href) link.setAttribute('href', href);
}

/**
 * Unread messages of every room in the tab's title and a dot on its icon, so a background tab shows them. Read on
 * every render of the chat (the counts are signals).
 */
export function useTabTitle(store: ChatStore | null): void {
  const unread = store?.totalUnread() ?? 0;
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Parley` : 'Parley';
    setIcon(unread > 0 ? iconWithDot() : PLAIN_ICON);
  }, [unread]);
}
