/**
 * Messages sent later (`schedule`): the checks when one is scheduled, its sender's list, and the sending when its
 * time comes, on whichever instance claims it (docs/protocol.md, "Scheduled messages"). A scheduled message is sent
 * as its sender would send it then: the room's rules are checked again (still a member, not muted, the room not
 * archived…), and a refusal leaves it failed, with the reason, for the sender to see.
 */
import type { ScheduleCommand } from '../../client/wire/commands.js';
import type { ScheduledMessage } from '../../client/wire/domain.js';
import type { ScheduleChangedFrame } from '../../client/wire/frames.js';
import type { ChatMessage } from '../engine/types.js';
import { fitToBudget, messageBytes } from '../hub/handlers/reply-budget.js';
import { checkReplyTarget } from '../log/reply-target.js';
import type { RoomLog } from '../log/room-log.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { Caller } from '../rooms/room-service.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import { checkLaterTime } from './later-time.js';
import type { ScheduledRecord, ScheduledStore } from './scheduled-store.js';

/** Scheduled messages one claim takes, at most (one round of an instance; the next round takes the rest). */
export const CLAIM_BATCH = 100;
/**
 * How long a claimed message is its claimer's: one whose claimer died, or whose send failed for a moment (the
 * store unreachable, the sender's message rate spent), is due again after it.
 */
export const CLAIM_LEASE_MS = 30_000;
/** The client id of the message a scheduled one becomes: a second send of it (after a lost claim) is a duplicate. */
export const scheduledCid = (id: string): string => `sched:${id}`;

/** What a message to schedule says: `send`'s fields, and when (its text checked by the caller: `checkText`). */
export type ScheduleRequest = Omit<ScheduleCommand, 'type' | 'ref'>;

/** What the scheduled messages ask of group chat: whether a user may send to a room now, and mention all of it. */
export interface SendRules {
  /** True for a room of members the caller may send to; false for an open channel; a refusal throws. */
  checkSend(caller: Caller, room: string): Promise<boolean>;
  checkRoomMention(caller: Caller, room: string): Promise<void>;
}

export interface ScheduledMessagesDeps {
  store: ScheduledStore;
  rules: SendRules;
  log: RoomLog;
  clock: Clock;
  ids: IdGenerator;
  /** `--max-scheduled-per-user`. */
  maxPerUser: number;
  /** `--schedule-max-ahead-days`, in ms. */
  maxAheadMs: number;
  /** Tells every device of the user (their own channel). */
  notify: (user: string, notice: ScheduleChangedFrame) => void;
  /**
   * One round of reminders of saved messages (group chat's: `RoomService.remindDue`), run on the same beat as the
   * scheduled messages: resolves to how many were told.
   */
  remindDue: (limit: number) => Promise<number>;
  /** A scheduled message was stored and delivered (not a duplicate): its sender has read up to it, the feed shows it. */
  sent: (message: ChatMessage) => void;
  report: (operation: string, error: unknown) => void;
}

/** A record as its sender sees it: all of it but who they are. */
export function scheduledMessageOf(record: ScheduledRecord): ScheduledMessage {
  const { userId: _user, userName: _name, ...message } = record;
  return message;
}

/** Reminders one round tells at most (the next round, a `--schedule-poll-ms` later, takes the rest). */
export const REMINDERS_PER_ROUND = 100;

/**
 * `work` run one at a time: a call while it runs gets the run in progress (a timer's tick does not start a second
 * beside it), and a failure goes to `report` once rather than to every caller that waited.
 */
function oneAtATime(work: () => Promise<void>, report: (error: unknown) => void): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= work()
      .catch(report)
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}

export class ScheduledMessages {
  /** What this instance did: scheduled messages sent and failed, reminders told (the metrics read them). */
  readonly counters = { sent: 0, failed: 0, reminded: 0 };

  constructor(private readonly deps: ScheduledMessagesDeps) {}

  /**
   * Schedules a message: to a room of members the caller may send to now (an open channel keeps no members to send
   * it as), with `send`'s checks of a reply and a mention of the room, at a time after now and at most
   * `--schedule-max-ahead-days` ahead, within the user's bound.
   */
  async schedule(caller: Caller, request: ScheduleRequest): Promise<ScheduledMessage> {
    const { store, rules, log, clock, ids, maxPerUser, maxAheadMs } = this.deps;
    const now = clock.now();
    checkLaterTime('at', request.at, now, maxAheadMs);
    if (!(await rules.checkSend(caller, request.room))) {
      throw new ReplyError('bad_request', 'an open channel has no members: messages are scheduled in rooms');
    }
    if (request.replyTo !== undefined) await checkReplyTarget(log, request.room, request.replyTo);
    if (request.mentionsRoom) await rules.checkRoomMention(caller, request.room);
    const record: ScheduledRecord = {
      id: ids.messageId(),
      userId: caller.user.id,
      userName: caller.user.name,
      room: request.room,
      text: request.text,
      at: request.at,
      createdAt: now,
      ...(request.replyTo !== undefined ? { replyTo: request.replyTo } : {}),
      ...(request.mentions?.length ? { mentions: [...new Set(request.mentions)] } : {}),
      ...(request.mentionsRoom ? { mentionsRoom: true as const } : {}),
    };
    if (!(await store.add(record, maxPerUser))) {
      throw new ReplyError(
        'scheduled_limit',
        `you keep ${maxPerUser} scheduled messages: remove one, or wait for one to be sent`,
      );
    }
    const scheduled = scheduledMessageOf(record);
    this.deps.notify(record.userId, {
      type: 'schedule_changed',
      id: record.id,
      room: record.room,
      scheduled,
    });
    return scheduled;
  }

  /**
   * Moves one of the user's scheduled messages to `at` (after now, within the same bound as {@link schedule}), or
   * without `at` to now (the next round sends it: "send now", or "try again" after being let back), pending again if
   * it had failed. The room's rules are checked when it is sent, as always. Every device of theirs hears of it.
   */
  async reschedule(userId: string, id: string, at?: number): Promise<ScheduledMessage> {
    const now = this.deps.clock.now();
    if (at !== undefined) checkLaterTime('at', at, now, this.deps.maxAheadMs);
    const moved = await this.deps.store.reschedule(userId, id, at ?? now);
    if (!moved) throw new ReplyError('no_scheduled', 'you have no scheduled message with this id');
    const scheduled = scheduledMessageOf(moved);
    this.deps.notify(userId, { type: 'schedule_changed', id, room: moved.room, scheduled });
    return scheduled;
  }

  /** Removes one of the user's scheduled messages (pending or failed); every device of theirs hears of it. */
  async unschedule(userId: string, id: string): Promise<{ room: string }> {
    const removed = await this.deps.store.remove(userId, id);
    if (!removed) throw new ReplyError('no_scheduled', 'you have no scheduled message with this id');
    this.deps.notify(userId, { type: 'schedule_changed', id, room: removed.room });
    return { room: removed.room };
  }

  /**
   * The user's scheduled messages from the `skip`th on, the soonest first, as many as fit in `budget` bytes; `onRead`
   * is told the bytes of all that were read for it.
   */
  async list(
    userId: string,
    skip: number,
    budget: number,
    onRead?: (bytes: number) => void,
  ): Promise<{ scheduled: ScheduledMessage[]; next?: number }> {
    const records = await this.deps.store.ofUser(userId);
    // The whole list is read (at most `--max-scheduled-per-user`): its bytes are the caller's to charge.
    onRead?.(records.reduce((bytes, record) => bytes + messageBytes(record), 0));
    const all = records.slice(skip).map(scheduledMessageOf);
    const { messages, cut } = fitToBudget(all, budget, 'oldest');
    return cut ? { scheduled: messages, next: skip + messages.length } : { scheduled: messages };
  }

  /**
   * One round: claims the messages due now (up to {@link CLAIM_BATCH}) and sends each. A round still running when
   * the next tick comes is waited for, not doubled; its failure is reported here, once (the round never rejects).
   */
  readonly sendDue = oneAtATime(
    () => this.claimAndSend(),
    (error) => this.deps.report('claim scheduled messages', error),
  );

  /** One round of reminders (up to {@link REMINDERS_PER_ROUND}), one at a time and reported as {@link sendDue}. */
  readonly remindDue = oneAtATime(
    async () => {
      this.counters.reminded += await this.deps.remindDue(REMINDERS_PER_ROUND);
    },
    (error) => this.deps.report('reminders', error),
  );

  private async claimAndSend(): Promise<void> {
    const now = this.deps.clock.now();
    const due = await this.deps.store.claimDue(now, now + CLAIM_LEASE_MS, CLAIM_BATCH);
    for (const record of due) {
      // One message's failure (its store write) leaves it to its lease; the others of the round go on.
      await this.sendOne(record).catch((error: unknown) =>
        this.deps.report('send a scheduled message', error),
      );
    }
  }

  private async sendOne(record: ScheduledRecord): Promise<void> {
    const { store, rules, log, clock, ids, notify } = this.deps;
    const caller: Caller = { user: { id: record.userId, name: record.userName }, admin: false };
    try {
      // The rules as they are now: the sender may have left, been muted, the room archived or deleted.
      if (!(await rules.checkSend(caller, record.room))) throw new ReplyError('no_room', 'the room is gone');
      if (record.mentionsRoom) await rules.checkRoomMention(caller, record.room);
      const { message, duplicate } = await log.append({
        room: record.room,
        id: ids.messageId(),
        from: caller.user,
        text: record.text,
        ts: clock.now(),
        cid: scheduledCid(record.id),
        ...(record.replyTo !== undefined ? { replyTo: record.replyTo } : {}),
        ...(record.mentions?.length ? { mentions: record.mentions } : {}),
        ...(record.mentionsRoom ? { mentionsRoom: true as const } : {}),
      });
      await store.sent(record.id);
      this.counters.sent += 1;
      if (!duplicate) this.deps.sent(message);
      notify(record.userId, {
        type: 'schedule_changed',
        id: record.id,
        room: record.room,
        sent: { id: message.id, offset: message.offset },
      });
    } catch (error) {
      if (!(error instanceof ReplyError) || error.temporary) {
        // Unreachable store, spent message rate: due again when its lease ends.
        this.deps.report('send a scheduled message', error);
        return;
      }
      const failed = await store.fail(record.id, {
        code: error.code,
        message: error.message,
        at: clock.now(),
      });
      this.counters.failed += 1;
      if (failed) {
        notify(record.userId, {
          type: 'schedule_changed',
          id: record.id,
          room: record.room,
          scheduled: scheduledMessageOf(failed),
        });
      }
    }
  }
}
