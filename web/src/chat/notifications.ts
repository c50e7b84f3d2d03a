/**
 * Desktop notifications, opt-in, of what each room is set to (by default mentions, and every message of a direct
 * room): the user turns them on (the browser asks for permission then), the choice is kept in this browser, and only
 * messages that would otherwise go unseen notify (the tab hidden, or another room open).
 */
import { signal } from '@preact/signals';

const KEY = 'parley.notify';

/** Whether the user asked for notifications (and the browser allows them). */
export const notificationsOn = signal(
  typeof Notification !== 'undefined' &&
    Notification.permission === 'granted' &&
    localStorage.getItem(KEY) === '1',
);

/** Notifications exist in this browser (not in some embedded views, or over plain http off localhost). */
export const notificationsSupported = typeof Notification !== 'undefined';

/** Turns notifications on (asking the browser's permission) or off. */
export async function setNotifications(on: boolean): Promise<void> {
  if (!on || !notificationsSupported) {
    localStorage.setItem(KEY, '0');
    notificationsOn.value = false;
    return;
  }
  const permission =
    Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
  notificationsOn.value = permission === 'granted';
  localStorage.setItem(KEY, notificationsOn.value ? '1' : '0');
}

/** Shows one notification (one per room at a time: a newer one replaces it); a click opens the room. */
export function notify(title: string, body: string, room: string, open: (room: string) => void): void {
  if (!notificationsOn.value || Notification.permission !== 'granted') return;
  const shown = new Notification(title, {
    body: body.slice(0, 200),
    tag: `parley-${room}`,
    icon: '/favicon.svg',
  });
  shown.onclick = () => {
    window.focus();
    open(room);
    shown.close();
  };
}
