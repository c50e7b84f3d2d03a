import { type FileRef, fileShownAs, fileUrl } from '../../../client/index.js';
import { sizeOf } from '../format.js';

/** The largest an image is shown in the conversation (a click opens it whole). */
const SHOWN_WIDTH = 320;
const SHOWN_HEIGHT = 240;

/** An image's size in the conversation: its own, scaled down to fit, never up. */
function shownSize(file: FileRef): { width: number; height: number } | undefined {
  if (!file.width || !file.height) return undefined;
  const scale = Math.min(1, SHOWN_WIDTH / file.width, SHOWN_HEIGHT / file.height);
  return {
    width: Math.max(1, Math.round(file.width * scale)),
    height: Math.max(1, Math.round(file.height * scale)),
  };
}

/**
 * The files a message carries: images shown (at their size, so nothing jumps when they load; a click opens the
 * image whole), audio and video with the browser's player (what it needs of the file is read as it plays), every
 * other file as its name and size, to download.
 */
export function MessageFiles({ files }: { files: FileRef[] }) {
  return (
    <div class="files">
      {files.map((file) => {
        const url = fileUrl(file);
        const shown = fileShownAs(file);
        if (shown === 'video')
          return (
            // biome-ignore lint/a11y/useMediaCaption: people's own recordings have no captions to offer
            <video key={file.id} class="file-video" src={url} controls preload="metadata" title={file.name} />
          );
        if (shown === 'audio')
          return (
            <span key={file.id} class="file-audio">
              {/* biome-ignore lint/a11y/useMediaCaption: people's own recordings have no captions to offer */}
              <audio src={url} controls preload="metadata" title={file.name} />
              <a href={url} download={file.name}>
                <bdi>{file.name}</bdi>
              </a>
            </span>
          );
        if (shown === 'image') {
          const size = shownSize(file);
          return (
            <a key={file.id} class="file-image" href={url} target="_blank" rel="noopener" title={file.name}>
              <img src={url} alt={file.name} loading="lazy" {...(size ?? {})} />
            </a>
          );
        }
        return (
          <a key={file.id} class="file-chip" href={url} download={file.name}>
            <span aria-hidden="true">📎</span> <bdi>{file.name}</bdi>{' '}
            <span class="size">{sizeOf(file.size)}</span>
          </a>
        );
      })}
    </div>
  );
}
