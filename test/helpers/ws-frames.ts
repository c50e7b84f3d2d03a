import assert from 'node:assert/strict';

/** A WebSocket frame as a server sends it (unmasked): its opcode and payload. */
export interface WireFrame {
  opcode: number;
  payload: Buffer;
}

/** WebSocket opcodes the tests look for. */
export const Opcode = { text: 0x1, close: 0x8, ping: 0x9 } as const;

/**
 * Splits bytes a server wrote into whole frames (unmasked, FIN set, payloads under 64 KiB), for tests that check
 * what went on the wire and in which order. A partial frame at the end is an assertion failure.
 */
export function parseServerFrames(bytes: Buffer): WireFrame[] {
  const frames: WireFrame[] = [];
  let at = 0;
  while (at < bytes.length) {
    const head = bytes[at] as number;
    const second = bytes[at + 1] as number;
    assert.equal(head & 0x80, 0x80, 'FIN');
    assert.equal(second & 0x80, 0, 'a server frame is not masked');
    let length = second & 0x7f;
    let start = at + 2;
    assert.notEqual(length, 127, 'a payload under 64 KiB');
    if (length === 126) {
      length = bytes.readUInt16BE(at + 2);
      start = at + 4;
    }
    assert.ok(start + length <= bytes.length, 'a whole frame');
    frames.push({ opcode: head & 0x0f, payload: bytes.subarray(start, start + length) });
    at = start + length;
  }
  return frames;
}
