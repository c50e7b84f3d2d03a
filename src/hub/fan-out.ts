import type { ControlEvent, RoomEvent } from '../engine/types.js';
import type { LatencyWindow } from '../metrics/latency-window.js';
import { encodeCompactMessage, encodeFrame } from '../protocol/codec.js';
import type { Clock } from '../util/clock.js';
import type { HubCounters, HubObserver } from './hub.js';
import type { RoomIndex } from './room-index.js';

/** What fan-out needs. */
export interface FanOutDeps {
  rooms: RoomIndex;
  clock: Clock;
  counters: HubCounters;
  latency: LatencyWindow;
  observer?: HubObserver;
  /** Control events (e.g. disconnect a user everywhere) go here instead of to room members. */
  onControl: (event: ControlEvent) => void;
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
    const members = this.deps.rooms.members(event.room);
    if (!members || members.size === 0) return;
    if (event.kind === 'message') {
      // Each format is encoded at most once per message, whatever the number of members.
      let frame: Buffer | undefined;
      let compact: Buffer | undefined;
      for (const session of members) {
        if (session.compact) {
          compact ??= encodeCompactMessage(event.message);
          session.deliver(event.room, compact, event.message);
        } else {
          frame ??= encodeFrame({ type: 'message', ...event.message });
          session.deliver(event.room, frame, event.message);
        }
      }
      this.deps.counters.deliveries += members.size;
      const latency = this.deps.clock.now() - event.message.ts;
      this.deps.latency.record(latency, members.size);
      this.deps.observer?.deliveryLatency?.(latency);
      return;
    }
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
    });
    for (const session of members) session.deliver(event.room, frame);
  }
}
