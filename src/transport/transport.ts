/**
 * What a session needs from its connection. The WebSocket server implements it over `ws`; unit tests implement
 * it with a fake that can stall or fail writes.
 */
export interface Transport {
  /** Writes one text frame. Never blocks; the bytes wait in the socket buffer if the peer is slow. */
  send(frame: Buffer): void;
  /** Bytes written but not yet handed to the operating system. */
  readonly bufferedAmount: number;
  /** Calls `listener` whenever the socket's write buffer has drained. */
  onDrain(listener: () => void): void;
  /** Stops reading from the peer (back-pressure on its commands). */
  pause(): void;
  /** Resumes reading from the peer. */
  resume(): void;
  /** Starts the closing handshake with a close code and reason. */
  close(code: number, reason: string): void;
  /** Destroys the connection at once. */
  terminate(): void;
  /** The peer's address, read from the socket when asked (undefined once it is closed, or for a test's fake). */
  readonly remoteAddress?: string;
}
