import { TokenError } from '../../auth/jwt.js';
import { ReplyError } from '../../protocol/error-codes.js';
import type { Handler } from './context.js';

/**
 * `refresh`: replaces the connection's token before it expires. The new token must name the same user; its
 * expiry and room rules take effect at once (rooms it no longer allows are left).
 */
export const refresh: Handler<'refresh'> = async (ctx, session, command) => {
  if (!ctx.verifyToken)
    throw new ReplyError('forbidden', 'this server does not use tokens (--auth anonymous)');
  let identity: Awaited<ReturnType<typeof ctx.verifyToken>>;
  try {
    identity = await ctx.verifyToken(command.token);
  } catch (error) {
    const expired = error instanceof TokenError && error.kind === 'expired';
    throw new ReplyError('forbidden', expired ? 'token expired' : 'invalid token');
  }
  if (identity.user.id !== session.user.id) throw new ReplyError('forbidden', 'token is for another user');
  await ctx.applyIdentity(session, identity);
  session.reply({
    type: 'refreshed',
    ref: command.ref,
    ...(identity.expiresAt !== undefined ? { expiresAt: identity.expiresAt } : {}),
  });
};
