import type { Identity } from '../auth/identity.js';
import type { Transport } from './transport.js';

/**
 * What the WebSocket endpoint hands connections to (the hub): the endpoint knows nothing else of it. `S` is the
 * handler's own record of a connection, given back with every frame and at the end.
 */
export interface ConnectionHandler<S> {
  /** A client passed the handshake: registers it and sends it the welcome frame. */
  connect(transport: Transport, identity: Identity, options: { compact: boolean }): S;
  /** One text frame from the client. */
  receive(session: S, text: string): void;
  /** One binary frame from the client (the protocol is text only). */
  receiveBinary(session: S): void;
  /** The connection closed (`code`: the peer's close code, 1006 when it just went away). */
  disconnect(session: S, code: number): Promise<void>;
}
