/**
 * Drafts kept by the server for every device of the user (docs/protocol.md, "Drafts"): what this tab types in a
 * room's box goes to the server once typing pauses (at once when the box is emptied: the message was sent), and what
 * another device types comes here while this tab has nothing of its own unsent for that room. A thread's box stays
 * this tab's own.
 */
import type { Draft, DraftFrame } from '../../../client/index.js';

export interface DraftSyncDeps {
  /** Keeps a draft on the server (`set_draft`). */
  send(room: string, text: string): Promise<unknown>;
  /** The server's list (`drafts`). */
  list(): Promise<Draft[]>;
  /** What this tab's box of a room holds. */
  local(room: string): string;
  /** The rooms this tab holds a draft of. */
  localRooms(): string[];
  /** Puts a draft heard from the server in this tab's box of a room (not sent back). */
  apply(room: string, text: string): void;
  /** A change the server refused (its reason). */
  refused(error: unknown): void;
  /** How long typing must pause before the box is sent. */
  delayMs: number;
}

export class DraftSync {
  /** Per room, the text this tab and the server last agreed on (sent or heard). */
  private readonly agreed = new Map<string, string>();
  /** Per room, the send waiting for typing to pause. */
  private readonly waiting = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly deps: DraftSyncDeps) {}

  /** This tab's box of a room changed. */
  changed(room: string, text: string): void {
    clearTimeout(this.waiting.get(room));
    this.waiting.delete(room);
    if (text.trim() === '') {
      this.push(room, '');
      return;
    }
    this.waiting.set(
      room,
      setTimeout(() => {
        this.waiting.delete(room);
        this.push(room, this.deps.local(room));
      }, this.deps.delayMs),
    );
  }

  /**
   * A draft changed on the server (another device's, or this tab's own coming back): taken when this tab has nothing
   * unsent for the room, that is when its box still holds what it last agreed on with the server.
   */
  heard({ room, text }: Pick<DraftFrame, 'room' | 'text'>): void {
    if (this.waiting.has(room)) return;
    const local = this.deps.local(room);
    // Typed here since the last agreement, and not sent yet: this tab's next change wins.
    if (local !== text && local !== (this.agreed.get(room) ?? '')) return;
    if (local !== text) this.deps.apply(room, text);
    this.agreed.set(room, text);
  }

  /**
   * After a (re)connect: the server's drafts come into this tab's boxes, but for what this tab typed and did not send
   * yet (sent now); a draft this tab agreed on that the server no longer has was sent or emptied elsewhere (emptied
   * here too).
   */
  async load(): Promise<void> {
    const server = new Map((await this.deps.list()).map((draft) => [draft.room, draft.text]));
    for (const [room, text] of server) {
      const local = this.deps.local(room);
      const unsent = this.waiting.has(room) || (this.agreed.has(room) && local !== this.agreed.get(room));
      if (unsent) this.changed(room, local);
      else {
        if (local !== text) this.deps.apply(room, text);
        this.agreed.set(room, text);
      }
    }
    for (const room of this.deps.localRooms()) {
      if (server.has(room) || this.waiting.has(room)) continue;
      const local = this.deps.local(room);
      if (this.agreed.get(room) === local) {
        this.deps.apply(room, '');
        this.agreed.set(room, '');
      } else this.changed(room, local);
    }
  }

  private push(room: string, text: string): void {
    if ((this.agreed.get(room) ?? '') === text) return;
    this.agreed.set(room, text);
    void this.deps.send(room, text).catch((error: unknown) => {
      // Not agreed after all: the next change tries again.
      this.agreed.delete(room);
      this.deps.refused(error);
    });
  }
}
