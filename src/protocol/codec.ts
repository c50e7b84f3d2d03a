/**
 * Decoding of client frames and encoding of server frames. Decoding never throws: every failure becomes a
 * {@link ReplyError} carrying the command's `ref` when one could be read.
 */
import type { TSchema } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import type { ChatMessage } from '../engine/types.js';
import { ReplyError } from './error-codes.js';
import {
  type Command,
  CommandSchemas,
  type CommandType,
  type JoinedFrame,
  type ServerFrame,
} from './messages.js';

/** Compiled once: TypeBox turns each schema into a straight-line checking function. */
const validators = Object.fromEntries(
  Object.entries(CommandSchemas).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]),
) as { [T in CommandType]: ReturnType<typeof TypeCompiler.Compile<(typeof CommandSchemas)[T]>> };

/** Why a command or a server API request holding U+0000 is refused (see {@link holdsNul}). */
export const NUL_REFUSAL = 'no field may hold the character U+0000';

/** Result of decoding one client frame. */
export type DecodeResult = { ok: true; command: Command } | { ok: false; error: ReplyError; ref?: number };

function isCommandType(type: unknown): type is CommandType {
  return typeof type === 'string' && Object.hasOwn(CommandSchemas, type);
}

function readRef(value: Record<string, unknown>): number | undefined {
  const ref = value.ref;
  return typeof ref === 'number' && Number.isSafeInteger(ref) && ref >= 0 ? ref : undefined;
}

/**
 * Whether any string in a parsed JSON value holds U+0000. PostgreSQL's text cannot hold it, so a message, a `cid` or
 * a topic with one could never be stored, and a lookup with one fails: no field may carry it, on every store alike.
 * JSON can only carry the character escaped, so `raw` (the text parsed) without `\u0000` settles it at the cost of
 * one search; with it (or a backslash-escaped look-alike), the value is walked.
 */
export function holdsNul(raw: string, value: unknown): boolean {
  return raw.includes('\\u0000') && walksToNul(value);
}

/** Walks the value with a stack of its own: a body nested 30,000 deep (64 KiB allows it) must not overflow ours. */
function walksToNul(root: unknown): boolean {
  const pending: unknown[] = [root];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) pending.push(item);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) return true;
        pending.push(item);
      }
    }
  }
  return false;
}

/** Decodes and validates one text frame. */
export function decodeCommand(text: string): DecodeResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: new ReplyError('bad_json', 'frame is not valid JSON') };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: new ReplyError('bad_json') };
  }
  const record = value as Record<string, unknown>;
  const ref = readRef(record);
  if (!isCommandType(record.type)) {
    const got = typeof record.type === 'string' ? `'${record.type.slice(0, 32)}'` : 'none';
    return { ok: false, ref, error: new ReplyError('unknown_command', `unknown command type: ${got}`) };
  }
  const validator = validators[record.type];
  if (validator.Check(value)) {
    if (!holdsNul(text, value)) return { ok: true, command: value as Command };
    return { ok: false, ref, error: new ReplyError('bad_request', `${record.type}: ${NUL_REFUSAL}`) };
  }
  return {
    ok: false,
    ref,
    error: new ReplyError('bad_request', `${record.type}: ${describeViolation(validator, value, 'frame')}`),
  };
}

/**
 * The first schema violation of `value`, as `'field': message` (`whole` names the value itself), for error
 * messages that point at what to fix.
 */
export function describeViolation(validator: TypeCheck<TSchema>, value: unknown, whole: string): string {
  const first = validator.Errors(value).First();
  if (!first) return `invalid ${whole}`;
  return `'${first.path.slice(1) || whole}': ${choicesOf(first.schema) ?? first.message}`;
}

/** "expected one of 'owner', 'admin', 'member'" for a union of literals, whose own message says only "union value". */
function choicesOf(schema: TSchema): string | undefined {
  const options: unknown[] | undefined = schema.anyOf;
  if (!options?.every((option) => typeof option === 'object' && option !== null && 'const' in option))
    return undefined;
  return `expected one of ${options.map((option) => `'${String((option as { const: unknown }).const)}'`).join(', ')}`;
}

/** Encodes a server frame to the bytes written on the wire. Call once per broadcast, not once per member. */
export function encodeFrame(frame: ServerFrame): Buffer {
  return Buffer.from(JSON.stringify(frame));
}

/** The presence of a `joined` frame given to {@link encodeJoined}: its users go in as bytes. */
export const NO_USERS: never[] = [];
const PRESENCE_KEY = ',"presence":[';

/**
 * A `joined` reply whose presence page is given as JSON already (the users between the brackets, UTF-8, see
 * PresencePageJson): the same bytes as `encodeFrame` of the frame with those users. The frame comes with
 * {@link NO_USERS} as its presence and is stringified as it is; the users' bytes are copied in between the brackets
 * of the first `,"presence":[` of the text (the fields before it are a number and strings, whose quotes JSON
 * escapes).
 */
export function encodeJoined(frame: JoinedFrame, presence: Uint8Array): Buffer {
  if (frame.presence.length > 0)
    throw new Error('encodeJoined: the presence goes in as bytes, not in the frame');
  const json = JSON.stringify(frame);
  const at = json.indexOf(PRESENCE_KEY) + PRESENCE_KEY.length;
  const head = json.slice(0, at);
  const headBytes = Buffer.byteLength(head);
  const out = Buffer.allocUnsafe(Buffer.byteLength(json) + presence.length);
  out.write(head, 0);
  out.set(presence, headBytes);
  out.write(json.slice(at), headBytes + presence.length);
  return out;
}

/**
 * A live message in the compact format (connections opened with `format=compact`): the same fields as a `message`
 * frame, positionally, in a JSON array tagged `"m"`, about a third smaller for short texts:
 * `["m", room, id, offset, epoch, fromId, fromName, text, ts, cid]`. Only live `message` frames are compact;
 * every other frame, and the messages inside `joined` and `history` replies, keep the object form.
 */
export function encodeCompactMessage(message: ChatMessage): Buffer {
  return Buffer.from(
    JSON.stringify([
      'm',
      message.room,
      message.id,
      message.offset,
      message.epoch,
      message.from.id,
      message.from.name,
      message.text,
      message.ts,
      message.cid,
    ]),
  );
}
