import type { ScheduledMessage } from '../../client/wire/domain.js';

/**
 * Messages users scheduled to be sent later (`schedule`): kept where rooms are (in memory, or in the database), each
 * sent once by whichever instance claims it first when its time comes (docs/protocol.md, "Scheduled messages").
 */

/** Why a scheduled message could not be sent when its time came: it stays, for its sender to see and remove. */
export type ScheduledFailure = NonNullable<ScheduledMessage['failed']>;

/**
 * A message to send later, as its sender scheduled it: what they see of it, and who they are (the message is sent
 * under the name they had then). Its id is random; `sched:{id}` is the message's client id once sent.
 */
export interface ScheduledRecord extends ScheduledMessage {
  userId: string;
  userName: string;
}

/**
 * Where scheduled messages are kept. Claims make "sent once" hold across instances: a claimed message is leased to
 * one claimer until `leaseUntil`; one that was claimed and neither sent nor failed (its claimer died) is claimed again
 * after its lease, and the message's client id makes the second send a duplicate of the first if that one was stored.
 */
export interface ScheduledStore {
  /**
   * Adds a scheduled message unless its user keeps `max` of them already (pending or failed): false, adding nothing.
   * Two adds of one user at the same moment may each pass the bound: it is a bound on what a user keeps, not a count.
   */
  add(record: ScheduledRecord, max: number): Promise<boolean>;
  /** A user's scheduled messages, the soonest first (then by id): at most the bound a user keeps, read whole. */
  ofUser(userId: string): Promise<ScheduledRecord[]>;
  /** Removes one of a user's scheduled messages (pending or failed): it, or undefined when they have none so named. */
  remove(userId: string, id: string): Promise<ScheduledRecord | undefined>;
  /**
   * Moves one of a user's scheduled messages to `at`, pending again if it had failed: it as it is now, or undefined
   * when they have none so named. One being sent at that moment may still go (its client id keeps it once).
   */
  reschedule(userId: string, id: string, at: number): Promise<ScheduledRecord | undefined>;
  /**
   * Claims up to `limit` messages due at `now` (their time come, not failed, not claimed, or claimed with a lease
   * ended), the soonest first, leasing each until `leaseUntil`. Two claimers at once never get the same message.
   */
  claimDue(now: number, leaseUntil: number, limit: number): Promise<ScheduledRecord[]>;
  /** Forgets a message once sent (or found sent already). */
  sent(id: string): Promise<void>;
  /** Marks a claimed message failed (it is no longer due): the message as it is now, or undefined when it is gone. */
  fail(id: string, failure: ScheduledFailure): Promise<ScheduledRecord | undefined>;
}

/** The soonest first, then by id: the order every store lists and claims in. */
export function soonestFirst(a: ScheduledRecord, b: ScheduledRecord): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
