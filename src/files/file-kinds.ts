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

/** The brands of an ISO media file (`ftyp`) that browsers play as MP4 video. */
const MP4_VIDEO_BRANDS = new Set([
  'isom',
  'iso2',
  'iso4',
  'iso5',
  'iso6',
  'mp41',
  'mp42',
  'avc1',
  'M4V ',
  'mmp4',
  'dash',
]);

/**
 * The audio and video the server serves to be played (inline), recognised by their first bytes like images: a media
 * element can only play them, and a browser opening one alone shows a player.
 */
const MEDIA: ReadonlyArray<{ type: string; matches: (head: Uint8Array) => boolean }> = [
  { type: 'video/mp4', matches: (h) => ascii(h, 4, 'ftyp') && MP4_VIDEO_BRANDS.has(latin1(h, 8, 4)) },
  { type: 'audio/mp4', matches: (h) => ascii(h, 4, 'ftyp') && ascii(h, 8, 'M4A ') },
  {
    type: 'video/webm',
    matches: (h) => startsWith(h, [0x1a, 0x45, 0xdf, 0xa3]) && latin1(h, 0, 64).includes('webm'),
  },
  { type: 'audio/ogg', matches: (h) => ascii(h, 0, 'OggS') },
  { type: 'audio/wav', matches: (h) => ascii(h, 0, 'RIFF') && ascii(h, 8, 'WAVE') },
  // An ID3 tag, or an MPEG audio frame's sync bits (a JPEG, whose second byte does not have them, is matched first).
  {
    type: 'audio/mpeg',
    matches: (h) => ascii(h, 0, 'ID3') || (h[0] === 0xff && ((h[1] ?? 0) & 0xe0) === 0xe0),
  },
];

/** The media types served inline: the images and the audio and video above. */
export const INLINE_TYPES: ReadonlySet<string> = new Set(
  [...SIGNATURES, ...MEDIA].map((signature) => signature.type),
);

/** Bytes of a file's start kept while it uploads, to recognise it (a JPEG's size may follow its EXIF data). */
export const HEAD_BYTES = 128 * 1024;

function startsWith(head: Uint8Array, bytes: number[]): boolean {
  return head.length >= bytes.length && bytes.every((byte, i) => head[i] === byte);
}

/** `length` bytes of the head from `at` as Latin-1 text ('' past its end). */
function latin1(head: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...head.subarray(at, at + length));
}

function ascii(head: Uint8Array, at: number, text: string): boolean {
  if (head.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (head[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * What a file is, from its first bytes: one of the images served inline (with its size in pixels when its header
 * tells it, turned as an EXIF orientation turns it), audio or video served inline, or the declared type. A declared
 * image, audio or video type the bytes do not bear out is not kept: it would be a download named like one.
 */
export function inspect(head: Uint8Array, declared: string): FoundInFile {
  const image = SIGNATURES.find((signature) => signature.matches(head));
  if (!image) {
    const media = MEDIA.find((signature) => signature.matches(head));
    if (media) return { type: media.type };
    return { type: /^(image|audio|video)\//.test(declared) ? 'application/octet-stream' : declared };
  }
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
