import type { Handler } from './context.js';

/** `ping`: an application-level round trip, for clients that want to measure latency. */
export const ping: Handler<'ping'> = async (ctx, session, command) => {
  session.reply({ type: 'pong', ref: command.ref, ts: ctx.clock.now() });
};
