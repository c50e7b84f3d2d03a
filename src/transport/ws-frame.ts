/**
 * ws's frame encoder, typed. ws exports `Sender.frame` but @types/ws does not declare it: the cast lives here once, for
 * the frame writer (the server's data frames), the benchmark's bare ws peer and the load tool's raw client.
 */
import * as wsModule from 'ws';

export interface FrameOptions {
  fin: boolean;
  /** 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  opcode: number;
  /** Mask the payload, as a client must: ws takes each mask from its own pool of random bytes. */
  mask: boolean;
  /** The payload is not to be changed: a masked payload is written into the frame's new buffer, not in place. */
  readOnly: boolean;
  rsv1: boolean;
}

const { Sender } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] };
};

/** One whole WebSocket frame, header and payload, in one Buffer. */
export function wholeFrame(payload: Buffer, options: FrameOptions): Buffer {
  const parts = Sender.frame(payload, options);
  // One buffer when ws wrote a read-only masked payload into the header's buffer, or when the payload is empty (the
  // header is the frame); otherwise the header and the payload, joined here.
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}
