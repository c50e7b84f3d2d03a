import type { Identity } from '../auth/identity.js';
import type { Transport } from './transport.js';

/** How a connection came: its frame format, and where from (shown to operators). */
export interface ConnectOptions {
  /** The client asked for compact `message` frames (`format=compact`). */
  compact?: boolean;
  /** The client's address (the first X-Forwarded-For entry behind a trusted proxy). */
  address?: string;
  /** Its User-Agent header, cut to {@link MAX_AGENT_LENGTH} characters. */
  agent?: string;
}

/** User agents are kept this long at most (they are shown, never parsed). */
export const MAX_AGENT_LENGTH = 120;

/**
 * What the WebSocket endpoint hands connections to (the hub): the endpoint knows nothing else of it. `S` is the
 * handler's own record of a connection, given back with every frame and at the end.
 */
export interface ConnectionHandler<S> {
  /** A client passed the handshake: registers it and sends it the welcome frame. */
  connect(transport: Transport, identity: Identity, options: ConnectOptions): S;
  /** One text frame from the client. */
  receive(session: S, text: string): void;
  /** One binary frame from the client (the bytes of an upload in progress). */
  receiveBinary(session: S, bytes: Buffer): void;
  /** The connection closed (`code`: the peer's close code, 1006 when it just went away). */
  disconnect(session: S, code: number): Promise<void>;
}
