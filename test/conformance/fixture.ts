import assert from 'node:assert/strict';
import type { Broker } from '../../src/broker/broker.js';
import type { NodeRegistry } from '../../src/cluster/node-registry.js';
import type { MessageDraft, RoomEvent, UserInfo } from '../../src/engine/types.js';
import type { MessageSearch } from '../../src/log/message-search.js';
import type { RoomLog } from '../../src/log/room-log.js';
import type { PresenceStore } from '../../src/presence/presence-store.js';
import { ReplyError } from '../../src/protocol/error-codes.js';
import type { ManualClock } from '../../src/util/clock.js';
import { Collector } from '../helpers/wait.js';

/** Settings the suites need an engine built with. */
export interface FixtureOptions {
  historySize: number;
  presenceTtlMs: number;
  /** Messages per second per user (0: no limit). */
  userMessagesPerSec?: number;
}

/** One node's view of an engine under test. */
export interface EngineFixture {
  broker: Broker;
  log: RoomLog;
  presence: PresenceStore;
  registry: NodeRegistry;
  /** Finding messages by their words, on the stores that keep them in full. */
  search?: MessageSearch;
  /** Drives expiry (presence) in the implementation under test. */
  clock: ManualClock;
  /** True when several nodes share the engine's data (the engine itself must know of members elsewhere). */
  clustered?: boolean;
  /** True when the log keeps every message (a database: retention is by age, not `historySize`). */
  keepsEverything?: boolean;
  /** How many things (streams, keys) the engine stores for this fixture: what a room costs at rest. */
  footprint(): Promise<number>;
  close(): Promise<void>;
}

/** Builds a fresh, isolated engine (e.g. a unique key prefix); `peer` builds another node on the same data. */
export interface FixtureFactory {
  create(options: FixtureOptions): Promise<EngineFixture & { peer?: () => Promise<EngineFixture> }>;
}

/** Subscribes a collector to a broker's events. */
export function collect(broker: Broker): Collector<RoomEvent> {
  const events = new Collector<RoomEvent>();
  broker.onEvent(events.push);
  return events;
}

let counter = 0;

/** A message draft with unique id and client id. */
export function draft(
  room: string,
  text: string,
  from: UserInfo = { id: 'u1', name: 'User 1' },
): MessageDraft {
  counter += 1;
  return {
    room,
    id: `m-${counter}-${Math.random().toString(36).slice(2)}`,
    from,
    text,
    ts: 1_000 + counter,
    cid: `c-${counter}`,
  };
}

/** Rejects with a ReplyError of `code`. */
export async function refused(work: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(work, (error: unknown) => error instanceof ReplyError && error.code === code);
}

/** The message of a room's log at `offset`, as a read returns it now (the pins' and saved messages' read). */
export { messageAt } from '../../src/rooms/message-entries.js';
