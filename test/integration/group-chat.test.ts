/**
 * Group chat through the protocol on one instance with the memory store: rooms created, public and private,
 * invitations, roles and moderation with their error codes, system events in the room's log, direct rooms, the
 * room list with its live updates, and joining a room by name as before rooms were stored. The embedded store runs
 * the same suite in a file of its own (PGlite's blocking work would stall this process's other node).
 */
import { groupChatSuite } from '../helpers/group-chat-suite.js';
import { startNode } from '../helpers/nodes.js';

groupChatSuite('memory store', () => startNode({ store: 'memory' }));
