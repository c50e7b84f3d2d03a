/**
 * Files sent with messages: the storage contract. A file is uploaded for a room by its owner (`begin`, its bytes
 * `write`n in order, `finish`ed once complete), then sent with one message (`claim`, which the message's `cid`
 * names: a retried send finds its files again); only then is it served (`read`). It goes with its message
 * (`discard` on a delete; `sweep` for a message no longer kept) and an upload never sent goes after a while
 * (`sweep`). Who may upload or send what is decided above (the upload handler, the send handler).
 *
 * Times are milliseconds since the Unix epoch, given by the caller. Implementations: memory records over bytes in a
 * directory (`--store memory`), SQL records over bytes in a directory (embedded) or in the database itself
 * (PostgreSQL, which every instance reads); each runs the conformance suite in `test/conformance/file-store.suite.ts`.
 */
import type { FileRef } from '../../client/wire/domain.js';

export type { FileRef } from '../../client/wire/domain.js';

/** An upload as it begins. */
export interface NewUpload {
  id: string;
  owner: string;
  room: string;
  name: string;
  /** The exact size announced: `finish` is called once this many bytes were written. */
  size: number;
  /** The media type the client declared (`application/octet-stream` when it declared none). */
  type: string;
  at: number;
}

/** What the server found in a file's bytes once complete. */
export interface FoundInFile {
  /** The media type to record (an image's own when its bytes are one, else the declared one). */
  type: string;
  width?: number;
  height?: number;
}

/** Bytes `start` to `end` of a file, both included (an HTTP byte range). */
export interface ByteRange {
  start: number;
  end: number;
}

/** A file to serve. */
export interface ReadableFile {
  file: FileRef;
  /** Its bytes (or a range of them), in pieces, read as they are consumed (a slow reader holds one piece). */
  bytes(range?: ByteRange): AsyncIterable<Uint8Array>;
}

/** How long files may wait before the sweep takes them. */
export interface SweepAges {
  /** An upload not sent by then (in progress or complete) goes. */
  unsentBefore: number;
  /** A file sent by then whose message is no longer kept (retention) or is deleted goes. */
  sentBefore: number;
}

/** Where files are kept. */
export interface FileStore {
  /** Records an upload in progress (not served, not sendable). */
  begin(upload: NewUpload): Promise<void>;
  /** Stores the upload's next piece: `seq` counts pieces from 0, in order, each at most one frame. */
  write(id: string, seq: number, bytes: Uint8Array): Promise<void>;
  /** Marks an upload complete with what was found in it; it may now be sent. Undefined when it is gone. */
  finish(id: string, found: FoundInFile): Promise<FileRef | undefined>;
  /**
   * Sends files with the message `cid` of `owner` in `room`: each must be complete, the owner's, uploaded for the
   * room, and not sent with another message (sent with this very `cid` is fine: a retried send). Returns them in
   * the order asked, or undefined (and changes nothing) when one of them cannot be sent.
   */
  claim(
    ids: readonly string[],
    owner: string,
    room: string,
    cid: string,
    at: number,
  ): Promise<FileRef[] | undefined>;
  /** A sent file with its bytes; undefined when there is none (unknown, not sent yet, gone). */
  read(id: string): Promise<ReadableFile | undefined>;
  /** Bytes of the owner's files (uploads in progress counted whole): what their quota is measured on. */
  usage(owner: string): Promise<number>;
  /** Removes the files sent with the message `cid` of `owner` in `room` (the message was deleted). */
  discardSent(room: string, owner: string, cid: string): Promise<void>;
  /** Removes files and their bytes (unknown ids are ignored). */
  discard(ids: readonly string[]): Promise<void>;
  /** Removes what {@link SweepAges} says is due; returns how many files went. */
  sweep(ages: SweepAges): Promise<number>;
  /** Releases what the store holds (a temporary directory of `--store memory`). */
  close(): Promise<void>;
}
