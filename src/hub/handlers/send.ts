import { checkText } from '../../protocol/rules.js';
import { callerOf, type Handler, requireJoined } from './context.js';

/** `send`: publish a message to a room; the reply carries its id and position once it is stored. */
export const send: Handler<'send'> = async (ctx, session, command) => {
  ctx.countReceived();
  const room = requireJoined(session, command.room, ctx.config);
  const text = checkText(command.text, ctx.config);
  // From the membership cache: no database round trip per message.
  await ctx.rooms?.checkSend(callerOf(session), room);
  const started = ctx.clock.now();
  const { message, duplicate } = await ctx.engine.log.append({
    room,
    id: ctx.ids.messageId(),
    from: session.user,
    text,
    ts: started,
    cid: command.cid,
  });
  if (!duplicate) ctx.countPublished(ctx.clock.now() - started);
  session.reply({
    type: 'sent',
    ref: command.ref,
    room,
    id: message.id,
    offset: message.offset,
    epoch: message.epoch,
    ts: message.ts,
    duplicate,
  });
};
