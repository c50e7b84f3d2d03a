import { lastOf, previewAfter } from '../../client/wire/last-message.js';
import type { ChatMessage, ControlEvent, MemberEvent, RoomEvent, UserEvent } from '../engine/types.js';
import type { LatencyWindow } from '../metrics/latency-window.js';
import { encodeCompactMessage, encodeFrame } from '../protocol/codec.js';
import type { HubCounters, HubObserver } from './hub.js';
import type { RoomIndex } from './room-index.js';
import type { Session } from './session.js';

/** What fan-out needs. */
export interface FanOutDeps {
  rooms: RoomIndex;
  counters: HubCounters;
  latency: LatencyWindow;
  observer?: HubObserver;
  /** Control events (e.g. disconnect a user everywhere) go here instead of to room members. */
  onControl: (event: ControlEvent) => void;
  /** Membership changes: system events (after their delivery), unlogged member events, user notices. */
  changes?: RoomChangeListener;
  /** Told of every presence diff, whichever instance made it (the room's users changed). */
  presenceChanged?: (room: string) => void;
}

/** What fan-out tells of membership changes it carries (see RoomChanges). */
export interface RoomChangeListener {
  systemEvent(message: ChatMessage): void;
  memberEvent(event: MemberEvent): void;
  userEvent(event: UserEvent): void;
}

/**
 * Hands the broker's room events to the local members of the room. Each event is encoded once per format,
 * however many members receive it, and the same bytes go to every one of them (the transport frames them once).
 * This runs once per delivered event on the hot path: no allocation per member.
 */
export class FanOut {
  constructor(private readonly deps: FanOutDeps) {}

  dispatch(event: RoomEvent): void {
    if (event.kind === 'control') {
      this.deps.onControl(event);
      return;
    }
    if (event.kind === 'member') {
      this.deps.changes?.memberEvent(event);
      return;
    }
    if (event.kind === 'user') {
      const listeners = this.deps.rooms.listeners(event.room);
      if (listeners) {
        const frame = encodeFrame(event.notice);
        for (const session of listeners) session.deliver(event.room, frame);
      }
      this.deps.changes?.userEvent(event);
      return;
    }
    if (event.kind === 'message') {
      this.message(event.room, event.message);
      return;
    }
    if (event.kind === 'seen') {
      this.seen(event.room, event.user, event.offset);
      return;
    }
    // A diff from any instance (members here or not): pages of the room read its users anew.
    if (event.kind === 'presence') this.deps.presenceChanged?.(event.room);
    const members = this.deps.rooms.members(event.room);
    if (!members) return;
    if (event.kind === 'status') {
      const frame = encodeFrame({ type: 'status', room: event.room, user: event.user, status: event.status });
      for (const session of members) session.deliver(event.room, frame);
      return;
    }
    // Typing goes to the room's members other than the user it is about.
    if (event.kind === 'typing') {
      const frame = encodeFrame({ type: 'typing', room: event.room, user: event.user });
      for (const session of members) {
        if (session.user.id !== event.user.id) session.deliver(event.room, frame);
      }
      return;
    }
    const frame = encodeFrame({
      type: 'presence_diff',
      room: event.room,
      joins: event.joins,
      leaves: event.leaves,
      ...(event.count !== undefined ? { count: event.count } : {}),
    });
    for (const session of members) session.deliver(event.room, frame);
  }

  /**
   * How far a person of a direct room read, to the others' connections that joined the room and to those that only
   * list it (a room list shows it too, as the `seen` of its `rooms` answer).
   */
  private seen(room: string, user: string, offset: number): void {
    const audience = this.deps.rooms.audience(room);
    if (!audience) return;
    const frame = encodeFrame({ type: 'seen', room, user, offset });
    for (const session of audience.members) if (session.user.id !== user) session.deliver(room, frame);
    for (const session of audience.listeners) {
      if (session.user.id !== user && !session.rooms.has(room)) session.deliver(room, frame);
    }
  }

  /** A message (or system event) to the room's members, and its activity to those who only list the room. */
  private message(room: string, message: ChatMessage): void {
    const audience = this.deps.rooms.audience(room);
    if (audience && audience.members.size > 0) this.toMembers(room, audience.members, message);
    // Listeners are connections that asked for their room list: none unless a client did.
    const listeners = audience?.listeners;
    // An action on an earlier message is no new activity of the room; an edit or a delete changes its preview.
    const preview = message.action ? previewAfter(message) : undefined;
    if (listeners && listeners.size > 0 && (!message.action || preview)) {
      // Encoded only for a listener that has not joined the room (those that did have the message itself).
      let notice: Buffer | undefined;
      for (const session of listeners) {
        if (session.rooms.has(room)) continue;
        notice ??= encodeFrame(
          preview ? { type: 'preview', room, ...preview } : { type: 'activity', room, last: lastOf(message) },
        );
        session.deliver(room, notice);
      }
    }
    if (message.event) this.deps.changes?.systemEvent(message);
  }

  private toMembers(room: string, members: ReadonlySet<Session>, message: ChatMessage): void {
    // Each format is encoded at most once per message, whatever the number of members. System events, actions,
    // replies, thread replies, mentions, files and forwards keep the object form (the compact array has no place for
    // them).
    const plain =
      !message.event &&
      !message.action &&
      message.replyTo === undefined &&
      message.thread === undefined &&
      !message.mentions &&
      !message.mentionsRoom &&
      !message.files &&
      !message.forwarded;
    let frame: Buffer | undefined;
    let compact: Buffer | undefined;
    for (const session of members) {
      if (session.compact && plain) {
        compact ??= encodeCompactMessage(message);
        session.deliver(room, compact, message);
      } else {
        frame ??= encodeFrame({ type: 'message', ...message });
        session.deliver(room, frame, message);
      }
    }
    this.deps.counters.deliveries += members.size;
    const latency = this.deps.latency.latencyOf(message.id, message.ts);
    this.deps.latency.record(latency, members.size);
    this.deps.observer?.deliveryLatency?.(latency);
  }
}
