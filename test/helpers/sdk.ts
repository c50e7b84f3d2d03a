import WebSocket from 'ws';
import type { WebSocketLike } from '../../client/index.js';

/** Opens the SDK's sockets with `ws` (Node 20 has no global WebSocket). */
export const nodeWebSocket = (url: string): WebSocketLike => new WebSocket(url) as unknown as WebSocketLike;
