/**
 * Link previews: what a page says of itself (title, description, site, a small image), fetched by the server when a
 * client asks (`link_preview`), so that readers' browsers never reach the page's site (their addresses stay theirs)
 * and the check of where a fetch may go is made once, here. Each instance keeps the previews it made for a while,
 * within a byte budget, and makes one fetch per address however many ask at once.
 */
import type { LinkPreview } from '../../client/wire/domain.js';
import { inspect } from '../files/file-kinds.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { Clock, Timers } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { boundedFetch, checkedUrl, FetchRefused, type FetchRules } from './bounded-fetch.js';
import { pageMetadata, pageText } from './page-metadata.js';

/** How long a preview is kept, and how long an address that gave none is not fetched again. */
export const PREVIEW_TTL_MS = 60 * 60 * 1000;
export const NONE_TTL_MS = 10 * 60 * 1000;
/** What a kept entry costs besides its fields (the map's entry, the key): an estimate for the byte budget. */
const ENTRY_OVERHEAD = 200;
/** The image types a preview shows (the chat's own: recognised by their bytes, as uploads are). */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export interface LinkPreviewOptions {
  /** `public`: the public internet only; `any`: private and loopback addresses too. */
  reach: 'public' | 'any';
  timeoutMs: number;
  /** Most bytes of a page read (its head is at its start; the rest is not needed). */
  pageMaxBytes: number;
  /** Largest image shown (sent to the client inside the answer); 0: none. */
  imageMaxBytes: number;
  /** Bytes of previews an instance keeps. */
  cacheBytes: number;
  /** Fetches in progress at once on the instance; more answer `rate_limited`. */
  maxFetches: number;
}

interface Kept {
  preview: LinkPreview | undefined;
  until: number;
  bytes: number;
}

export class LinkPreviews {
  /** Oldest use first (a Map keeps insertion order: a use moves its entry to the end). */
  private readonly kept = new Map<string, Kept>();
  private keptBytes = 0;
  private readonly inFlight = new Map<string, Promise<LinkPreview | undefined>>();
  private readonly rules: FetchRules;
  /** Previews made, answered from what was kept, and fetches that gave none (metrics, tests). */
  readonly counters = { fetched: 0, kept: 0, none: 0 };

  constructor(
    private readonly options: LinkPreviewOptions,
    private readonly deps: { clock: Clock; timers: Timers; logger: Logger },
  ) {
    this.rules = {
      allowPrivate: options.reach === 'any',
      maxRedirects: 3,
      userAgent: 'Mozilla/5.0 (compatible; ParleyLinkPreview/1.0)',
    };
  }

  /**
   * The preview of a page, or undefined when it has none to show (no title or description, not HTML, not reached,
   * not allowed: the same answer for all, so that nobody maps a network through it).
   * @throws ReplyError bad_request for no http(s) URL; rate_limited (temporary) while `maxFetches` are in progress
   */
  async preview(address: string): Promise<LinkPreview | undefined> {
    let url: URL;
    try {
      url = checkedUrl(address);
    } catch (error) {
      throw new ReplyError('bad_request', `url: ${(error as Error).message}`);
    }
    url.hash = '';
    const key = url.href;
    const kept = this.kept.get(key);
    if (kept && kept.until > this.deps.clock.now()) {
      this.kept.delete(key);
      this.kept.set(key, kept);
      this.counters.kept += 1;
      return kept.preview;
    }
    const running = this.inFlight.get(key);
    if (running) return running;
    if (this.inFlight.size >= this.options.maxFetches) {
      throw new ReplyError('rate_limited', 'link previews are busy: retry in 1000 ms');
    }
    const work = this.made(url).then((preview) => {
      this.keep(key, preview);
      return preview;
    });
    this.inFlight.set(key, work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async made(url: URL): Promise<LinkPreview | undefined> {
    const deadline = new AbortController();
    const timer = this.deps.timers.setTimeout(
      () => deadline.abort(new FetchRefused(`no answer within ${this.options.timeoutMs} ms`)),
      this.options.timeoutMs,
    );
    try {
      const preview = await this.fetched(url, deadline.signal);
      if (preview) this.counters.fetched += 1;
      else this.counters.none += 1;
      return preview;
    } catch (error) {
      this.counters.none += 1;
      const why = error instanceof Error ? error.message : String(error);
      this.deps.logger.debug({ url: url.href, why }, 'no link preview');
      return undefined;
    } finally {
      timer.cancel();
    }
  }

  private async fetched(url: URL, signal: AbortSignal): Promise<LinkPreview | undefined> {
    const page = await boundedFetch(url, {
      rules: this.rules,
      maxBytes: this.options.pageMaxBytes,
      accept: (type) => type === 'text/html' || type === 'application/xhtml+xml',
      accepts: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1',
      signal,
    });
    const meta = pageMetadata(pageText(page.body, page.charset), page.url);
    if (meta.title === undefined && meta.description === undefined) return undefined;
    const preview: LinkPreview = { url: page.url.href, site: meta.site ?? page.url.hostname };
    if (meta.title !== undefined) preview.title = meta.title;
    if (meta.description !== undefined) preview.description = meta.description;
    if (meta.image && this.options.imageMaxBytes > 0) {
      const image = await this.image(meta.image, signal).catch((error: unknown) => {
        this.deps.logger.debug({ url: meta.image?.href, why: String(error) }, 'no link preview image');
        return undefined;
      });
      if (image) preview.image = image;
    }
    return preview;
  }

  /** The page's image, whole and recognised by its bytes, as a data URL the client shows as it is. */
  private async image(url: URL, signal: AbortSignal): Promise<LinkPreview['image']> {
    const fetched = await boundedFetch(url, {
      rules: this.rules,
      maxBytes: this.options.imageMaxBytes,
      whole: true,
      accept: (type) => type.startsWith('image/') || type === 'application/octet-stream',
      accepts: 'image/png,image/jpeg,image/gif,image/webp;q=0.9',
      signal,
    });
    const found = inspect(fetched.body, '');
    if (!IMAGE_TYPES.has(found.type)) return undefined;
    const image: NonNullable<LinkPreview['image']> = {
      data: `data:${found.type};base64,${fetched.body.toString('base64')}`,
    };
    if (found.width !== undefined && found.height !== undefined) {
      image.width = found.width;
      image.height = found.height;
    }
    return image;
  }

  /** Keeps a preview (or its absence, for less time), forgetting the least recently used beyond the budget. */
  private keep(key: string, preview: LinkPreview | undefined): void {
    const bytes = ENTRY_OVERHEAD + key.length + (preview ? JSON.stringify(preview).length : 0);
    if (bytes > this.options.cacheBytes) return;
    const previous = this.kept.get(key);
    if (previous) {
      this.kept.delete(key);
      this.keptBytes -= previous.bytes;
    }
    const until = this.deps.clock.now() + (preview ? PREVIEW_TTL_MS : NONE_TTL_MS);
    this.kept.set(key, { preview, until, bytes });
    this.keptBytes += bytes;
    for (const [oldest, entry] of this.kept) {
      if (this.keptBytes <= this.options.cacheBytes) break;
      this.kept.delete(oldest);
      this.keptBytes -= entry.bytes;
    }
  }
}
