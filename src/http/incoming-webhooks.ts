/**
 * The addresses of incoming webhooks: `POST /hooks/{id}/{secret}` with a Slack-style payload (see
 * webhook-payload.ts) posts a message into the webhook's room, on any instance. No token: the address is the
 * capability (docs/api.md, "Incoming webhooks"). Answers JSON, with the protocol's error codes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/config.js';
import type { EventFeed } from '../hub/event-feed.js';
import { refusalOf } from '../hub/refusal.js';
import { holdsNul, NUL_REFUSAL } from '../protocol/codec.js';
import { ErrorCodes, ReplyError } from '../protocol/error-codes.js';
import type { RoomService } from '../rooms/room-service.js';
import type { Logger } from '../util/logger.js';
import { sendJson } from './respond.js';
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

/** A refusal of this endpoint alone, with its HTTP status. */
class HookRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The request's body, at most `max` bytes (a larger one is refused as soon as it is known to be). */
async function readBody(request: IncomingMessage, max: number): Promise<string> {
  const declared = Number(request.headers['content-length'] ?? 0);
  const tooLarge = () => new HookRefusal(413, 'bad_request', `the body is larger than ${max} bytes`);
  if (declared > max) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > max) throw tooLarge();
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof HookRefusal) throw error;
    throw new HookRefusal(400, 'bad_request', 'the body was cut short');
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The payload of a body: JSON, or Slack's form with the JSON in its `payload` field. */
function payloadOf(type: string, body: string): unknown {
  let json: string;
  if (type.startsWith('application/json')) json = body;
  else if (type.startsWith('application/x-www-form-urlencoded')) {
    const field = new URLSearchParams(body).get('payload');
    if (field === null) throw new HookRefusal(400, 'bad_request', "the form has no 'payload' field");
    json = field;
  } else {
    throw new HookRefusal(
      415,
      'bad_request',
      'send application/json, or application/x-www-form-urlencoded with a payload field',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new HookRefusal(400, 'bad_json', 'the payload is not valid JSON');
  }
  if (holdsNul(json, value)) throw new HookRefusal(400, 'bad_request', NUL_REFUSAL);
  return value;
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
      if (error instanceof HookRefusal) {
        // The rest of a body too large is not read: the connection closes after the answer.
        const close: Record<string, string> = error.status === 413 ? { connection: 'close' } : {};
        sendJson(response, error.status, { error: error.code, message: error.message }, close);
        return true;
      }
      const { error: reply, cause, retryAfterMs } = refusalOf(error);
      if (cause === 'bug') logger.error({ err: error }, 'webhook post failed');
      const headers: Record<string, string> =
        retryAfterMs === undefined
          ? {}
          : { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) };
      sendJson(response, ErrorCodes[reply.code].http, { error: reply.code, message: reply.message }, headers);
    }
    return true;
  };
}
