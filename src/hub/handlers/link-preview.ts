import { ReplyError } from '../../protocol/error-codes.js';
import type { Handler } from './context.js';
import { takePerMinute } from './per-minute.js';

/**
 * `link_preview`: a page's preview, fetched by this instance (or kept from an earlier fetch), within the connection's
 * rate of them (each may cost a page and an image from another site). None to show is an answer without `preview`.
 */
export const link_preview: Handler<'link_preview'> = async (ctx, session, command) => {
  if (!ctx.linkPreviews) throw new ReplyError('unsupported', 'link previews are off on this server');
  takePerMinute(ctx, session, 'linkPreviewRate', ctx.config.linkPreviewsPerMin, 'link previews');
  const preview = await ctx.linkPreviews.preview(command.url);
  session.reply({
    type: 'link_preview',
    ref: command.ref,
    url: command.url,
    ...(preview ? { preview } : {}),
  });
};
