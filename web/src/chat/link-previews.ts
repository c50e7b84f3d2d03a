/**
 * Link previews in the chat: the card under a message with a link (its first, outside code), asked of the server
 * (`link_preview`) once per address for the page's life, one request at a time (a history page full of links would
 * otherwise spend the connection's rate at once). Shown unless the user turned them off in this browser, or the
 * server makes none.
 */
import { type Signal, signal } from '@preact/signals';
import { type LinkPreview, type ParleyClient, ParleyError } from '../../../client/index.js';

const KEY = 'parley.linkPreviews';

/** What is known of an address: undefined while asked, null for no preview. */
export type PreviewState = LinkPreview | null | undefined;

export class LinkPreviews {
  /** Whether the user wants previews (kept in this browser; on by default). */
  readonly wanted = signal(localStorage.getItem(KEY) !== '0');
  /** False once the server said it makes none (`--link-previews off`). */
  readonly offered = signal(true);
  private readonly known = new Map<string, Signal<PreviewState>>();
  private readonly waiting: string[] = [];
  private asking = false;

  constructor(private readonly client: ParleyClient) {}

  /** Turns previews on or off for this browser. */
  setWanted(on: boolean): void {
    this.wanted.value = on;
    try {
      localStorage.setItem(KEY, on ? '1' : '0');
    } catch {
      // Storage refused: the choice lasts as long as the page.
    }
  }

  /** The preview of an address, asked for the first time it is wanted. */
  of(url: string): Signal<PreviewState> {
    let state = this.known.get(url);
    if (!state) {
      state = signal<PreviewState>(undefined);
      this.known.set(url, state);
      this.waiting.push(url);
      void this.askNext();
    }
    return state;
  }

  private async askNext(): Promise<void> {
    if (this.asking) return;
    this.asking = true;
    try {
      for (let url = this.waiting.shift(); url !== undefined; url = this.waiting.shift()) {
        const state = this.known.get(url) as Signal<PreviewState>;
        try {
          state.value = (await this.client.linkPreview(url)) ?? null;
        } catch (error) {
          const code = error instanceof ParleyError ? error.code : undefined;
          if (code === 'unsupported') this.offered.value = false;
          if (code === 'rate_limited' || code === 'unavailable') {
            // Asked again later (the server says when; a second is the rate's scale).
            this.waiting.unshift(url);
            await new Promise((resolve) => setTimeout(resolve, 1000));
            continue;
          }
          state.value = null;
        }
      }
    } finally {
      this.asking = false;
    }
  }
}
