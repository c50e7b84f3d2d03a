/** Message text with http(s) links made clickable. Everything else is rendered as text: never as HTML. */
export const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

/**
 * The address a link really goes to, as the browser will request it, or undefined when it is not a valid http(s)
 * URL. Its label is this parsed form, not the text as typed: invisible and direction-changing characters are
 * percent-encoded there, so `https://example.com/\u202Eevil` shows as `https://example.com/%E2%80%AEevil` instead
 * of reading "https://example.com/live".
 */
export function linkTarget(text: string): string | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function Linkified({ text }: { text: string }) {
  const parts: Array<string | { url: string }> = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index ?? 0;
    const url = linkTarget(match[0]);
    if (!url) continue;
    if (start > last) parts.push(text.slice(last, start));
    parts.push({ url });
    last = start + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return (
    <>
      {parts.map((part) =>
        typeof part === 'string' ? (
          part
        ) : (
          <a href={part.url} dir="ltr" target="_blank" rel="noopener noreferrer nofollow">
            <bdi>{part.url}</bdi>
          </a>
        ),
      )}
    </>
  );
}
