import { after } from 'node:test';
import WebSocket from 'ws';
import {
  type ClientEvents,
  type ConnectionState,
  ParleyClient,
  type ParleyClientOptions,
  type WebSocketLike,
} from '../../client/index.js';
import type { ChatMessage } from '../../client/protocol.js';
import { Collector } from './wait.js';

/** Opens the SDK's sockets with `ws` (Node 20 has no global WebSocket). */
export const nodeWebSocket = (url: string): WebSocketLike => new WebSocket(url);

/** An SDK client whose events a test can wait for. */
export interface WatchedClient {
  client: ParleyClient;
  states: Collector<ConnectionState>;
  messages: Collector<ChatMessage>;
  joins: Collector<ClientEvents['joined']>;
  resets: Collector<ClientEvents['reset']>;
}

/**
 * An SDK client for tests: Node sockets and quick reconnects unless `options` say otherwise, its state, message,
 * joined and reset events collected, closed after the test file. Not connected yet.
 */
export function watchedClient(options: ParleyClientOptions): WatchedClient {
  const client = new ParleyClient({
    webSocket: nodeWebSocket,
    reconnect: { minDelayMs: 50, maxDelayMs: 300 },
    ...options,
  });
  after(() => client.close());
  const watched: WatchedClient = {
    client,
    states: new Collector(),
    messages: new Collector(),
    joins: new Collector(),
    resets: new Collector(),
  };
  client.on('state', watched.states.push);
  client.on('message', watched.messages.push);
  client.on('joined', watched.joins.push);
  client.on('reset', watched.resets.push);
  return watched;
}
