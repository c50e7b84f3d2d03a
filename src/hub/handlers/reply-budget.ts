import type { Config } from '../../config/config.js';
import type { ChatMessage } from '../../engine/types.js';

/**
 * Replies that carry messages (history pages, join recoveries) are built within a byte budget: one reply is a single
 * frame, and a frame larger than the connection's bound would let one request make the server hold megabytes for a
 * client that does not read (4,000 control characters escape to 24 KB; a thousand of them to 24 MB).
 */

/** Bytes one reply may spend on messages: `--reply-max-bytes`, never more than the connection's send queue. */
export function replyBudget(config: Config): number {
  return Math.min(config.replyMaxBytes, config.sendQueueMaxBytes);
}

/**
 * A message's size in a reply (or any item's of a list a reply carries): its JSON in UTF-8, and the comma that
 * separates it from the next.
 */
export function messageBytes(message: ChatMessage | object): number {
  return Buffer.byteLength(JSON.stringify(message)) + 1;
}

/**
 * The longest run of `messages` (oldest first) that fits in `budget` bytes, kept from the oldest end (a forward
 * read) or from the newest (a backward read). One message is always kept, whatever its size, so paging moves on.
 * Any list of items a reply carries is cut the same way (an edited message's texts).
 */
export function fitToBudget<T extends object = ChatMessage>(
  messages: T[],
  budget: number,
  keep: 'oldest' | 'newest',
): { messages: T[]; cut: boolean } {
  let bytes = 0;
  const n = messages.length;
  for (let i = 0; i < n; i += 1) {
    const message = messages[keep === 'oldest' ? i : n - 1 - i] as T;
    bytes += messageBytes(message);
    if (bytes > budget && i > 0) {
      return {
        messages: keep === 'oldest' ? messages.slice(0, i) : messages.slice(n - i),
        cut: true,
      };
    }
  }
  return { messages, cut: false };
}
