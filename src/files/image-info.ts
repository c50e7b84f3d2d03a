import { imageSize } from 'image-size';
import type { FoundInFile } from './file-store.js';

/**
 * The image types the server serves to be shown (inline), recognised by their first bytes, never by what the
 * client declared: a browser shown anything else (HTML, SVG with scripts) could run it in the server's origin.
 */
const SIGNATURES: ReadonlyArray<{ type: string; matches: (head: Uint8Array) => boolean }> = [
  { type: 'image/png', matches: (h) => startsWith(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { type: 'image/jpeg', matches: (h) => startsWith(h, [0xff, 0xd8, 0xff]) },
  { type: 'image/gif', matches: (h) => ascii(h, 0, 'GIF87a') || ascii(h, 0, 'GIF89a') },
  { type: 'image/webp', matches: (h) => ascii(h, 0, 'RIFF') && ascii(h, 8, 'WEBP') },
];

/** The media types served inline. */
export const INLINE_TYPES: ReadonlySet<string> = new Set(SIGNATURES.map((signature) => signature.type));

/** Bytes of a file's start kept while it uploads, to recognise it (a JPEG's size may follow its EXIF data). */
export const HEAD_BYTES = 128 * 1024;

function startsWith(head: Uint8Array, bytes: number[]): boolean {
  return head.length >= bytes.length && bytes.every((byte, i) => head[i] === byte);
}

function ascii(head: Uint8Array, at: number, text: string): boolean {
  if (head.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (head[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * What a file is, from its first bytes: one of the images served inline (with its size in pixels when its header
 * tells it, turned as an EXIF orientation turns it), or the declared type. A declared image type the bytes do not
 * bear out is not kept: it would be a download named like an image.
 */
export function inspect(head: Uint8Array, declared: string): FoundInFile {
  const image = SIGNATURES.find((signature) => signature.matches(head));
  if (!image) return { type: declared.startsWith('image/') ? 'application/octet-stream' : declared };
  try {
    const size = imageSize(head);
    if (!(size.width > 0 && size.height > 0)) return { type: image.type };
    const turned = size.orientation !== undefined && size.orientation >= 5;
    return turned
      ? { type: image.type, width: size.height, height: size.width }
      : { type: image.type, width: size.width, height: size.height };
  } catch {
    // A header cut short (a JPEG whose size lies past the head) or malformed: shown without a size.
    return { type: image.type };
  }
}
