/**
 * The user's scheduled messages (sent later by the server), as the chat shows them: read once the room list is in
 * (this connection hears every change from then on: `schedule_changed`), changed by what it hears, and the actions
 * on them. The server keeps them; the page holds no timer.
 */
import { signal } from '@preact/signals';
import type { ParleyClient, ScheduleChangedFrame, ScheduledMessage } from '../../../client/index.js';

/** What the chat hands a scheduled message's action: runs it, and shows its refusal (or what it did). */
export type Act = <T>(work: () => Promise<T>, done?: string) => Promise<T | undefined>;

/**
 * The times offered first, as Slack offers them: in an hour, tomorrow at 9, next Monday at 9; `soon` (a reminder's)
 * in 20 minutes before them.
 */
export function suggestedTimes(now: Date, soon = false): Array<{ label: string; at: number }> {
  const at9 = (days: number) => {
    const day = new Date(now);
    day.setDate(day.getDate() + days);
    day.setHours(9, 0, 0, 0);
    return day.getTime();
  };
  const untilMonday = (8 - now.getDay()) % 7 || 7;
  return [
    ...(soon ? [{ label: 'In 20 minutes', at: now.getTime() + 20 * 60_000 }] : []),
    { label: 'In 1 hour', at: now.getTime() + 3_600_000 },
    { label: 'Tomorrow at 9:00', at: at9(1) },
    { label: 'Monday at 9:00', at: at9(untilMonday) },
  ];
}

export class ScheduledList {
  /** The user's scheduled messages, the soonest first; null until read. */
  readonly items = signal<ScheduledMessage[] | null>(null);
  constructor(
    private readonly client: ParleyClient,
    private readonly act: Act,
  ) {
    client.on('schedule_changed', (frame) => this.changed(frame));
  }

  /** Reads the list (once the room list is in: this connection hears every change after it). */
  async load(): Promise<void> {
    try {
      this.items.value = await this.client.scheduledMessages();
    } catch {
      // Not readable now (disconnected, or a server without rooms): the list shown stays.
    }
  }

  /** Schedules a message; resolves to whether the server took it. */
  async schedule(
    room: string,
    text: string,
    at: number,
    extra: { replyTo?: number; mentions?: string[]; mentionsRoom?: boolean },
  ): Promise<boolean> {
    const made = await this.act(
      () => this.client.schedule(room, text, at, extra),
      `Scheduled for ${new Date(at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}: in "Scheduled messages"`,
    );
    if (made) this.put(made);
    return made !== undefined;
  }

  /** Sends one now (also one that failed: the room's rules are checked again); it leaves the list once sent. */
  async sendNow(id: string): Promise<void> {
    const moved = await this.act(() => this.client.reschedule(id), 'Sending it now');
    if (moved) this.put(moved);
  }

  /** Removes one: it will not be sent. Resolves to whether it was removed (by this call). */
  async remove(id: string, done?: string): Promise<boolean> {
    const removed = await this.act(async () => {
      await this.client.unschedule(id);
      return true;
    }, done);
    if (removed) this.drop(id);
    return removed === true;
  }

  private changed(frame: ScheduleChangedFrame): void {
    if (frame.scheduled) this.put(frame.scheduled);
    else this.drop(frame.id);
  }

  private put(item: ScheduledMessage): void {
    const list = this.items.value;
    if (!list) return;
    this.items.value = [...list.filter((each) => each.id !== item.id), item].sort(
      (a, b) => a.at - b.at || (a.id < b.id ? -1 : 1),
    );
  }

  private drop(id: string): void {
    const list = this.items.value;
    if (list?.some((each) => each.id === id)) this.items.value = list.filter((each) => each.id !== id);
  }
}
