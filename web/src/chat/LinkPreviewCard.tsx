import { useMemo } from 'preact/hooks';
import { firstLink } from './message-markup.js';
import type { ChatStore } from './store.js';

/**
 * The preview of a message's first link, under its text: the page's image, site, title and description, as the
 * server read them (the image comes inside the answer: this browser never asks the page's site). Nothing while it
 * is asked, when the page has none, or when previews are off.
 */
export function LinkPreviewCard({ store, text }: { store: ChatStore; text: string }) {
  const url = useMemo(() => firstLink(text), [text]);
  const previews = store.linkPreviews;
  if (url === undefined || !previews.wanted.value || !previews.offered.value) return null;
  const preview = previews.of(url).value;
  if (!preview) return null;
  const image = preview.image;
  return (
    <a class="link-preview" href={preview.url} target="_blank" rel="noopener noreferrer nofollow" dir="auto">
      {image && (
        <img
          src={image.data}
          alt=""
          width={image.width}
          height={image.height}
          loading="lazy"
          decoding="async"
        />
      )}
      <span class="link-preview-text">
        <span class="site">
          <bdi>{preview.site}</bdi>
        </span>
        {preview.title && (
          <strong class="title">
            <bdi>{preview.title}</bdi>
          </strong>
        )}
        {preview.description && (
          <span class="description">
            <bdi>{preview.description}</bdi>
          </span>
        )}
      </span>
    </a>
  );
}
