/**
 * A room's incoming webhooks: integrations (alerts, CI, a script) that post messages into the room through an
 * address holding a secret (`POST /hooks/{id}/{secret}`). The secret is made here, shown once and kept as its
 * SHA-256 only, so a copy of the database lets nobody post. Who may add, list and remove them is decided above this
 * (RoomService, permissions.ts).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_SENDER_PREFIX } from '../../client/wire/domain.js';
import type { WebhookSummary } from '../../client/wire/rooms.js';
import type { UserInfo } from '../engine/types.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import type { RoomDirectory, WebhookRecord } from './room-directory.js';

export interface RoomWebhooksDeps {
  directory: RoomDirectory;
  clock: Clock;
  ids: IdGenerator;
  /** Most webhooks one room may have (`--max-webhooks-per-room`). */
  maxPerRoom: number;
}

/** The path of a webhook's address on any instance (the client puts its own origin before it). */
export function webhookPath(id: string, secret: string): string {
  return `/hooks/${id}/${secret}`;
}

/** Who a webhook's messages are from: its own id, never a person's, and its name. */
export function webhookSender(hook: WebhookRecord): UserInfo {
  return { id: `${WEBHOOK_SENDER_PREFIX}${hook.id}`, name: hook.name };
}

const sha256 = (secret: string): string => createHash('sha256').update(secret).digest('hex');

function summaryOf(hook: WebhookRecord): WebhookSummary {
  return { id: hook.id, name: hook.name, createdBy: hook.createdBy, createdAt: hook.createdAt };
}

export class RoomWebhooks {
  constructor(private readonly deps: RoomWebhooksDeps) {}

  /**
   * Adds a webhook to the room, named `name` (the sender's name of its messages): its summary, and its secret,
   * which nothing keeps. A room with `maxPerRoom` of them refuses (`webhook_limit`); the count is read before the
   * write, so webhooks added at the same moment on several instances may pass the bound by as many.
   */
  async add(room: string, name: string, by: UserInfo): Promise<{ webhook: WebhookSummary; secret: string }> {
    const { directory, clock, ids, maxPerRoom } = this.deps;
    if ((await directory.webhooks(room)).length >= maxPerRoom) {
      throw new ReplyError('webhook_limit', `this room has ${maxPerRoom} webhooks: remove one first`);
    }
    const secret = ids.secret();
    const hook: WebhookRecord = {
      id: ids.messageId(),
      room,
      name,
      secretSha256: sha256(secret),
      createdBy: { id: by.id, name: by.name },
      createdAt: clock.now(),
    };
    if (!(await directory.addWebhook(hook))) throw new ReplyError('no_room', `no room '${room}'`);
    return { webhook: summaryOf(hook), secret };
  }

  /** The room's webhooks, oldest first, without their secrets. */
  async list(room: string): Promise<WebhookSummary[]> {
    return (await this.deps.directory.webhooks(room)).map(summaryOf);
  }

  /** Removes the room's webhook `id` (its address posts no more): the webhook removed, or `no_webhook`. */
  async remove(room: string, id: string): Promise<WebhookSummary> {
    const hook = await this.deps.directory.webhook(id);
    if (hook?.room !== room || !(await this.deps.directory.removeWebhook(room, id))) {
      throw new ReplyError('no_webhook', `no webhook '${id}' in this room`);
    }
    return summaryOf(hook);
  }

  /**
   * The webhook an address names, when its secret is this one; `no_webhook` otherwise, the same for an unknown id
   * and a wrong secret (an address that fails says nothing about which part was wrong). The digests are compared in
   * constant time.
   */
  async verify(id: string, secret: string): Promise<WebhookRecord> {
    const hook = await this.deps.directory.webhook(id);
    const given = Buffer.from(sha256(secret), 'hex');
    const kept = Buffer.from(hook?.secretSha256 ?? '', 'hex');
    if (!hook || kept.length !== given.length || !timingSafeEqual(kept, given)) {
      throw new ReplyError('no_webhook', 'no webhook at this address (removed, or never made)');
    }
    return hook;
  }
}
