/**
 * The addresses of incoming webhooks: `POST /hooks/{id}/{secret}` with a Slack-style payload (see
 * webhook-payload.ts) posts a message into the webhook's room, on any instance. No token: the address is the
 * capability (docs/api.md, "Incoming webhooks"). Answers JSON, with the protocol's error codes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/config.js';
import type { EventFeed } from '../hub/event-feed.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { RoomService } from '../rooms/room-service.js';
import type { Logger } from '../util/logger.js';
import { HttpRefusal, httpRefusalOf, parseJson, readBody, sendJson, sendRefusal } from './respond.js';
import { webhookText } from './webhook-payload.js';

export interface IncomingWebhooksDeps {
  config: Config;
  /** Undefined where the engine keeps no rooms (`--store redis`): then no address names a webhook. */
  rooms?: RoomService;
  events?: EventFeed;
  logger: Logger;
}

const PREFIX = '/hooks/';
/** An address's two parts: the webhook's id and its secret (both base64url, as they are made). */
const ADDRESS = /^\/hooks\/([A-Za-z0-9_-]{1,64})\/([A-Za-z0-9_-]{1,64})$/;

/** The payload of a body: JSON, or Slack's form with the JSON in its `payload` field. */
function payloadOf(type: string, body: string): unknown {
  if (type.startsWith('application/json')) return parseJson(body, 'the payload');
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    throw new HttpRefusal(
      415,
      'bad_request',
      'send application/json, or application/x-www-form-urlencoded with a payload field',
    );
  }
  const field = new URLSearchParams(body).get('payload');
  if (field === null) throw new HttpRefusal(400, 'bad_request', "the form has no 'payload' field");
  return parseJson(field, 'the payload');
}

/** Serves the webhooks' addresses, and counts what they were sent. */
export class IncomingWebhooks {
  /** Posts made into rooms, and posts refused (any refusal: an address that names none, a bad payload, a limit). */
  readonly counters = { posted: 0, refused: 0 };

  constructor(private readonly deps: IncomingWebhooksDeps) {}

  /** Serves a request if its path is a webhook's address (under /hooks/); false otherwise. */
  serve = async (request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> => {
    if (!path.startsWith(PREFIX)) return false;
    if (request.method !== 'POST') {
      response.writeHead(405, { allow: 'POST' }).end();
      return true;
    }
    const { config, rooms, events, logger } = this.deps;
    try {
      const address = ADDRESS.exec(path);
      if (!address || !rooms) throw new ReplyError('no_webhook', 'no webhook at this address');
      const body = await readBody(request, config.webhookBodyMaxBytes);
      const text = webhookText(payloadOf(request.headers['content-type'] ?? '', body), config.maxTextLength);
      const message = await rooms.postByWebhook(address[1] as string, address[2] as string, text);
      this.counters.posted += 1;
      events?.message(message.room, message.from, text);
      sendJson(response, 200, { ok: true, room: message.room, id: message.id, offset: message.offset });
    } catch (error) {
      this.counters.refused += 1;
      const refusal = httpRefusalOf(error);
      if (refusal.status >= 500) logger.error({ err: error }, 'webhook post failed');
      // The rest of a body too large is not read: the connection closes after the answer.
      sendRefusal(response, refusal, refusal.status === 413 ? { connection: 'close' } : {});
    }
    return true;
  };
}
