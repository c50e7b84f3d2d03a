/**
 * The text of a message posted to a webhook's address, from the payload senders already speak: Slack's incoming
 * webhook format (Grafana, Alertmanager, Sentry, CI systems and scripts send it), that is a `text`, `attachments`
 * (pretext, title and link, text, fields, or their fallback) and `blocks` (the text of section, header, context and
 * markdown blocks), in that order, one part per line (with blocks, `text` is Slack's notification fallback: left
 * out). Slack's markup for links and mentions is turned into plain
 * text (`<https://x|label>` reads `label (https://x)`), its escapes undone. Formatting marks are kept as they are.
 */
import { ReplyError } from '../protocol/error-codes.js';

/** Parts read from one payload at most (attachments, blocks, fields): a payload cannot make the server walk more. */
const MAX_PARTS = 100;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const stringOf = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The objects of an array field, at most {@link MAX_PARTS}. */
const objectsOf = (value: unknown): Json[] =>
  Array.isArray(value) ? value.slice(0, MAX_PARTS).filter(isObject) : [];

/** A text object's text (Slack's `{type, text}`), or a plain string. */
const textOf = (value: unknown): string => (isObject(value) ? stringOf(value.text) : stringOf(value));

function attachmentText(attachment: Json): string {
  const parts: string[] = [];
  const title = stringOf(attachment.title);
  const link = stringOf(attachment.title_link);
  parts.push(stringOf(attachment.pretext));
  parts.push(title && link ? `${title} (${link})` : title || link);
  parts.push(stringOf(attachment.text));
  for (const field of objectsOf(attachment.fields)) {
    const name = stringOf(field.title);
    const value = stringOf(field.value);
    parts.push(name && value ? `${name}: ${value}` : name || value);
  }
  const shown = parts.filter((part) => part.trim() !== '');
  return shown.length > 0 ? shown.join('\n') : stringOf(attachment.fallback);
}

function blockText(block: Json): string {
  const parts = [textOf(block.text)];
  for (const field of objectsOf(block.fields)) parts.push(textOf(field));
  for (const element of objectsOf(block.elements)) parts.push(textOf(element));
  return parts.filter((part) => part.trim() !== '').join('\n');
}

/** Slack's markup as plain text: links, user, channel and special mentions, then its three escapes. */
function plain(text: string): string {
  return text
    .replace(/<([^<>|\s]+)\|([^<>]*)>/g, (_all, target: string, label: string) =>
      target.startsWith('!') || target.startsWith('@') || target.startsWith('#')
        ? label
        : `${label} (${target})`,
    )
    .replace(/<!(here|channel|everyone)>/g, '@$1')
    .replace(/<([^<>\s]+)>/g, '$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** At most `max` UTF-16 units: a longer text is cut (never inside a character) and ends with an ellipsis. */
function fitted(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/**
 * The message a payload posts: `bad_request` when it is no JSON object, `text_empty` when it holds no text; a text
 * longer than `maxLength` is cut to it (an alert's long body still arrives, its start first).
 */
export function webhookText(payload: unknown, maxLength: number): string {
  if (!isObject(payload)) throw new ReplyError('bad_request', 'the payload must be a JSON object');
  const blocks = objectsOf(payload.blocks).map(blockText);
  // With blocks, Slack shows them and keeps `text` for notifications: shown too, it would say everything twice.
  const parts = [
    blocks.length > 0 ? '' : stringOf(payload.text),
    ...objectsOf(payload.attachments).map(attachmentText),
    ...blocks,
  ];
  const text = plain(parts.filter((part) => part.trim() !== '').join('\n')).trim();
  if (text === '')
    throw new ReplyError('text_empty', 'the payload holds no text (text, attachments or blocks)');
  return fitted(text, maxLength);
}
