/**
 * What a page says of itself for a preview: its Open Graph tags (`og:title`, `og:description`, `og:site_name`,
 * `og:image`), then Twitter's, then `<title>` and `<meta name="description">`. Read with htmlparser2 (a forgiving,
 * streaming parser that decodes entities; real pages are seldom valid HTML), from bytes decoded in the page's charset.
 */
import { Parser } from 'htmlparser2';

/** What a preview shows of a page. */
export interface PageMetadata {
  title?: string;
  description?: string;
  site?: string;
  /** The image's address, absolute (http or https). */
  image?: URL;
}

/** Longest title, description and site name kept (a page's own may be any length). */
export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 300;
export const SITE_MAX = 100;

/**
 * The page's text from its bytes: in the charset its Content-Type names, else one a `<meta>` in its first KiB
 * names, else UTF-8 (also for a charset this Node does not know).
 */
export function pageText(body: Buffer, charset: string | undefined): string {
  const named = charset ?? metaCharset(body.subarray(0, 1024).toString('latin1'));
  try {
    return new TextDecoder(named ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

function metaCharset(head: string): string | undefined {
  return (
    /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1]?.toLowerCase() ??
    /<meta[^>]+content\s*=\s*["'][^"']*charset=([\w.:-]+)/i.exec(head)?.[1]?.toLowerCase()
  );
}

/** The preview's fields of a page at `base` (which resolves a relative image address). */
export function pageMetadata(html: string, base: URL): PageMetadata {
  const meta = new Map<string, string>();
  let title = '';
  let inTitle = false;
  let titles = 0;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'title') {
          inTitle = titles === 0;
          titles += 1;
          return;
        }
        if (name !== 'meta') return;
        const key = (attributes.property ?? attributes.name ?? '').trim().toLowerCase();
        const content = attributes.content;
        // The first of each wins, as in Open Graph's rule for a tag given twice.
        if (key !== '' && content !== undefined && !meta.has(key)) meta.set(key, content);
      },
      ontext(text) {
        if (inTitle && title.length < TITLE_MAX * 4) title += text;
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  // The tags are in the head: the body (most of a page's bytes) is read only when the head said nothing.
  const body = html.search(/<body[\s>]/i);
  parser.write(body < 0 ? html : html.slice(0, body));
  if (body >= 0 && meta.size === 0 && title.trim() === '') parser.write(html.slice(body));
  parser.end();
  const first = (...keys: string[]) =>
    keys.map((key) => clean(meta.get(key) ?? '')).find((value) => value !== '');
  const found: PageMetadata = {};
  const shownTitle = cut(first('og:title', 'twitter:title') ?? clean(title), TITLE_MAX);
  if (shownTitle) found.title = shownTitle;
  const description = cut(
    first('og:description', 'twitter:description', 'description') ?? '',
    DESCRIPTION_MAX,
  );
  if (description) found.description = description;
  const site = cut(first('og:site_name') ?? '', SITE_MAX);
  if (site) found.site = site;
  const image = first(
    'og:image:secure_url',
    'og:image',
    'og:image:url',
    'twitter:image',
    'twitter:image:src',
  );
  if (image) {
    try {
      const url = new URL(image, base);
      if (url.protocol === 'http:' || url.protocol === 'https:') found.image = url;
    } catch {
      // Not an address: no image.
    }
  }
  return found;
}

/** One line of text: runs of white space made one space, control and direction-changing characters dropped. */
function clean(text: string): string {
  return text
    .replace(/[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** At most `max` characters, ending in an ellipsis when cut (never inside a surrogate pair). */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  return chars.length <= max
    ? text
    : `${chars
        .slice(0, max - 1)
        .join('')
        .trimEnd()}…`;
}
