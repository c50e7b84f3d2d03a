import type { MessageFrame, ServerFrame } from './protocol.js';

/**
 * Reads a text frame: an object frame, or a live message in the compact array form
 * `["m", room, id, offset, epoch, fromId, fromName, text, ts, cid]` (docs/protocol.md, `format=compact`).
 * @returns undefined for anything else (not JSON, or an array this SDK does not know)
 */
export function parseFrame(text: string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return value as ServerFrame;
  if (value[0] !== 'm' || value.length < 10) return undefined;
  const [, room, id, offset, epoch, fromId, fromName, body, ts, cid] = value as [
    string,
    string,
    string,
    number,
    string,
    string,
    string,
    string,
    number,
    string,
  ];
  const frame: MessageFrame = {
    type: 'message',
    room,
    id,
    offset,
    epoch,
    from: { id: fromId, name: fromName },
    text: body,
    ts,
    cid,
  };
  return frame;
}
