import type { Config } from '../config/config.js';
import { decodeCommand } from '../protocol/codec.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { Command, ServerFrame } from '../protocol/messages.js';
import type { Clock, Timers } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { BucketMap, TokenBucket } from '../util/token-bucket.js';
import type { FailureReporter } from './failures.js';
import type { Handler, HandlerContext } from './handlers/context.js';
import { handlers } from './handlers/index.js';
import type { HubCounters } from './hub.js';
import { refusalOf } from './refusal.js';
import type { Session } from './session.js';

/** What the command runner needs. */
export interface CommandRunnerDeps {
  config: Config;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  counters: HubCounters;
  report: FailureReporter;
  /** What handlers get. */
  context: HandlerContext;
}

/** The tail of an empty command chain: one shared settled promise rather than one per connection. */
const SETTLED = Promise.resolve();

/** Commands a session may have in flight before the runner stops reading from it. */
const MAX_IN_FLIGHT = 64;

/** Seconds' worth of `--reply-bytes-per-sec` a user may spend at once (a reconnect resuming many busy rooms). */
const REPLY_BURST_SECONDS = 8;

/**
 * Runs each connection's commands: decoded and validated at the boundary, rate-limited per connection, routed
 * through the table of handlers, one at a time in arrival order (so a client's sends are stored in the order it
 * made them), with at most {@link MAX_IN_FLIGHT} waiting before the connection is no longer read. Every failure
 * becomes a reply error through the one mapping the server API uses too (`refusal.ts`).
 *
 * What a command costs is mostly what it answers: a `send` is answered in ~100 bytes, a resume of 900 missed
 * messages in ~200 KB and ~10 ms of the server. The command rate alone would let one connection ask for fifty
 * such a second; so the bytes of every reply are charged to the user's budget on this instance
 * (`--reply-bytes-per-sec`), and while it is in debt their next command waits. Nothing is refused: a client that
 * asks for more than its budget is answered more slowly, and once 64 of its commands wait it is not read (TCP
 * then slows it down).
 */
export class CommandRunner {
  /** Reply budgets by user id, forgotten once full (none without a limit). */
  private readonly replyBudget?: BucketMap;

  constructor(private readonly deps: CommandRunnerDeps) {
    const rate = deps.config.replyBytesPerSec;
    if (rate > 0) this.replyBudget = new BucketMap(rate, rate * REPLY_BURST_SECONDS, deps.clock);
  }

  /**
   * Starts taking commands from a new session. Its state here (the chain of its commands, how many wait, its
   * command rate) is kept in the session's own fields: a map entry and an object per connection cost ~80 bytes
   * at tens of thousands of connections.
   */
  open(session: Session): void {
    const { commandsPerSec } = this.deps.config;
    if (commandsPerSec > 0)
      session.commandRate = new TokenBucket(commandsPerSec, commandsPerSec * 2, this.deps.clock);
  }

  /** Resolves once the session's commands so far have finished. */
  settled(session: Session): Promise<void> {
    return session.commandChain ?? SETTLED;
  }

  /** Handles one text frame from a session. */
  receive(session: Session, text: string): void {
    const decoded = decodeCommand(text);
    if (!decoded.ok) {
      this.replyError(session, decoded.error, decoded.ref);
      return;
    }
    const command = decoded.command;
    const rate = session.commandRate;
    if (rate && !rate.take()) {
      this.deps.counters.rateLimited += 1;
      this.deps.context.feed.record({
        type: 'rate_limited',
        user: session.user,
        reason: 'commands per second',
      });
      const wait = rate.waitMs();
      const error = new ReplyError('rate_limited', `too many commands: retry in ${wait} ms`);
      this.replyError(session, error, command.ref);
      return;
    }
    session.commandsInFlight += 1;
    if (session.commandsInFlight === MAX_IN_FLIGHT) session.pauseReading();
    session.commandChain = (session.commandChain ?? SETTLED).then(async () => {
      const charged = session.chargedBytes;
      await this.run(session, command);
      // Most commands find the budget in credit: no await (a promise per command) unless there is a wait.
      const wait = this.charge(session, session.chargedBytes - charged);
      if (wait > 0) await new Promise<void>((resolve) => this.deps.timers.setTimeout(resolve, wait));
      session.commandsInFlight -= 1;
      if (session.commandsInFlight === MAX_IN_FLIGHT / 2) session.resumeReading();
      // Nothing else waits: the chain ends here (an idle connection holds no settled promise).
      if (session.commandsInFlight === 0) session.commandChain = undefined;
    });
  }

  /**
   * Charges a command's replies to its user's budget: the milliseconds the session's next command waits until the
   * budget is out of debt (0 when it is not in debt).
   */
  private charge(session: Session, bytes: number): number {
    const wait = this.replyBudget?.spend(session.user.id, bytes) ?? 0;
    if (wait <= 0 || session.closed) return 0;
    this.deps.counters.replyWaits += 1;
    this.deps.context.feed.record({
      type: 'rate_limited',
      user: session.user,
      reason: `reply bytes per second: the next command waits ${wait} ms`,
    });
    return wait;
  }

  /**
   * Takes a binary frame: the next piece of the connection's upload, stored in turn with its commands. The
   * connection is not read while the piece is stored (nor while its user's upload rate is in debt), so it holds
   * one piece at a time (`ws` may still hand over a frame it had read). Without an upload: `binary_unsupported`.
   */
  receiveBinary(session: Session, bytes: Buffer): void {
    const upload = session.upload;
    const uploads = this.deps.context.uploads;
    if (!upload || !uploads) {
      this.replyError(session, new ReplyError('binary_unsupported'));
      return;
    }
    session.commandsInFlight += 1;
    session.pauseReading();
    session.commandChain = (session.commandChain ?? SETTLED).then(async () => {
      let waitMs = 0;
      try {
        const done = await uploads.receive(session, upload, bytes);
        if (done.frame) session.reply(done.frame);
        waitMs = done.waitMs;
      } catch (error) {
        const refusal = refusalOf(error);
        if (refusal.cause === 'engine') this.deps.report('upload', error);
        else if (refusal.cause === 'bug') this.deps.logger.error({ err: error }, 'upload failed');
        this.replyError(session, refusal.error, upload.ref);
      }
      if (waitMs > 0 && !session.closed)
        await new Promise<void>((resolve) => this.deps.timers.setTimeout(resolve, waitMs));
      session.commandsInFlight -= 1;
      if (session.commandsInFlight < MAX_IN_FLIGHT / 2) session.resumeReading();
      if (session.commandsInFlight === 0) session.commandChain = undefined;
    });
  }

  /** Sends a reply error (with the command's `ref` when there is one). */
  replyError(session: Session, error: ReplyError, ref?: number): void {
    const frame: ServerFrame = {
      type: 'error',
      code: error.code,
      message: error.message,
      temporary: error.temporary,
      ...(ref !== undefined ? { ref } : {}),
    };
    session.reply(frame);
  }

  private async run(session: Session, command: Command): Promise<void> {
    if (session.closed) return;
    const handler = handlers[command.type] as Handler<typeof command.type>;
    try {
      await handler(this.deps.context, session, command);
    } catch (error) {
      this.replyError(session, this.refuse(error, command, session), command.ref);
    }
  }

  private refuse(error: unknown, command: Command, session: Session): ReplyError {
    const refusal = refusalOf(error);
    if (refusal.cause === 'rate') {
      this.deps.counters.rateLimited += 1;
      const room = (command as { room?: string }).room;
      this.deps.context.feed.record({
        type: 'rate_limited',
        user: session.user,
        ...(room !== undefined ? { room } : {}),
        reason: `${command.type}: messages per second`,
      });
    } else if (refusal.cause === 'engine') this.deps.report(command.type, error);
    else if (refusal.cause === 'bug') {
      this.deps.counters.engineErrors += 1;
      this.deps.logger.error({ err: error, command: command.type }, 'command failed');
    }
    return refusal.error;
  }
}
