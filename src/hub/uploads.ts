import type { FileRef } from '../../client/wire/domain.js';
import type { UploadedFrame, UploadReadyFrame } from '../../client/wire/frames.js';
import type { Config } from '../config/config.js';
import type { FileStore } from '../files/file-store.js';
import { FileWriter } from '../files/file-writer.js';
import { declaredType, fileName } from '../files/upload-rules.js';
import { ReplyError } from '../protocol/error-codes.js';
import type { Clock, TimerHandle, Timers } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import { BucketMap } from '../util/token-bucket.js';
import type { Session } from './session.js';

/** A connection's upload while its bytes come (one at a time per connection: `session.upload`). */
export interface UploadInProgress {
  /** The `upload` command's ref: `uploaded` and every refusal of its bytes carry it. */
  readonly ref: number;
  readonly room: string;
  readonly writer: FileWriter;
  idle?: TimerHandle;
}

/** Seconds' worth of `--upload-bytes-per-sec` a user may send at once. */
const UPLOAD_BURST_SECONDS = 2;

/** The sweep runs every quarter of `--upload-ttl-ms`, at most every 10 minutes. */
export const sweepEveryMs = (config: Pick<Config, 'uploadTtlMs'>): number =>
  Math.min(600_000, Math.max(250, Math.floor(config.uploadTtlMs / 4)));

/** A sent file's message may take this long to be stored after the file was claimed: the sweep waits longer. */
const SENT_GRACE_MS = 10 * 60_000;

export interface UploadsDeps {
  files: FileStore;
  config: Config;
  clock: Clock;
  timers: Timers;
  ids: IdGenerator;
  /** Tells a connection that its upload was dropped (it stalled). */
  refuse: (session: Session, error: ReplyError, ref: number) => void;
}

/**
 * Uploads of files over WebSocket: an `upload` announces a file (its room, name and size) and is answered
 * `upload_ready`; the client then sends the file's bytes as binary frames, each stored as it comes (the connection is
 * not read while one is stored, so it holds one frame at a time); once `size` bytes came the file is recognised (an
 * image, from its first bytes) and `uploaded` answers with what a `send` names. What bounds it: `--max-file-bytes`
 * per file, `--max-file-bytes-per-user` stored per user, `--upload-bytes-per-sec` per user on this instance (beyond
 * it the connection is read more slowly), `--max-uploads` in progress on this instance (each holds up to
 * 128 KiB of its start) and `--upload-idle-ms` between frames.
 */
/** What uploads count, for the metrics (`/metrics`). */
export interface UploadCounters {
  /** Uploads complete (over WebSocket and through the server API). */
  completed: number;
  /** Bytes of uploads stored. */
  bytes: number;
  /** Files the sweep removed (uploads never sent, files whose message is gone). */
  swept: number;
}

export class Uploads {
  readonly counters: UploadCounters = { completed: 0, bytes: 0, swept: 0 };
  private inProgress = 0;
  private readonly rate?: BucketMap;

  constructor(private readonly deps: UploadsDeps) {
    const rate = deps.config.uploadBytesPerSec;
    if (rate > 0) this.rate = new BucketMap(rate, rate * UPLOAD_BURST_SECONDS, deps.clock);
  }

  /** Uploads in progress on this instance. */
  get active(): number {
    return this.inProgress;
  }

  /**
   * Opens an upload within the bounds: files taken at all, its size, its owner's quota (uploads in progress counted
   * whole), the uploads in progress here. It counts as in progress until {@link close}.
   */
  private async open(
    owner: string,
    file: { room: string; name: string; size: number; mime?: string },
    busy?: () => boolean,
  ): Promise<FileWriter> {
    const { config, files, clock, ids } = this.deps;
    if (config.maxFileBytes === 0) throw new ReplyError('unsupported', 'this server takes no files');
    if (file.size > config.maxFileBytes)
      throw new ReplyError('file_too_large', `files may have at most ${config.maxFileBytes} bytes`);
    if (config.maxFileBytesPerUser > 0) {
      const used = await files.usage(owner);
      if (used + file.size > config.maxFileBytesPerUser)
        throw new ReplyError(
          'file_quota',
          `${owner}'s files take ${used} of the ${config.maxFileBytesPerUser} bytes one may keep`,
        );
    }
    // Checked and counted with no await between: uploads begun at once cannot pass the bounds together.
    if (busy?.()) throw new ReplyError('upload_busy');
    if (this.inProgress >= config.maxUploads)
      throw new ReplyError('rate_limited', 'too many uploads in progress on this server: retry in a moment');
    const declared = declaredType(file.mime);
    const writer = new FileWriter(files, ids.fileId(), file.size, declared);
    this.inProgress += 1;
    try {
      await files.begin({
        id: writer.id,
        owner,
        room: file.room,
        name: fileName(file.name),
        size: file.size,
        type: declared,
        at: clock.now(),
      });
    } catch (error) {
      this.close(writer);
      throw error;
    }
    return writer;
  }

  /** The upload no longer counts as in progress, nor holds its start. */
  private close(writer: FileWriter): void {
    writer.release();
    this.inProgress -= 1;
  }

  /** Begins the session's upload to a room it joined (the caller checked that it may send there). */
  async begin(
    session: Session,
    command: { ref: number; room: string; name: string; size: number; mime?: string },
  ): Promise<UploadReadyFrame> {
    if (session.upload) throw new ReplyError('upload_busy');
    const writer = await this.open(session.user.id, command, () => session.upload !== undefined);
    const upload: UploadInProgress = { ref: command.ref, room: command.room, writer };
    session.upload = upload;
    this.watch(session, upload);
    return {
      type: 'upload_ready',
      ref: upload.ref,
      room: upload.room,
      file: writer.id,
      chunkBytes: this.deps.config.maxPayloadBytes,
    };
  }

  /**
   * Stores a whole file from a stream of its bytes (the server API's request body) for `owner` in `room`, within the
   * same bounds as a connection's upload but its rate; a body that is not exactly `size` bytes is refused and
   * nothing is kept.
   */
  async store(
    owner: string,
    file: { room: string; name: string; size: number; mime?: string },
    body: AsyncIterable<Uint8Array>,
  ): Promise<FileRef> {
    const writer = await this.open(owner, file);
    try {
      for await (const piece of body) {
        await writer.write(piece);
        this.counters.bytes += piece.length;
      }
      if (!writer.complete)
        throw new ReplyError('bad_request', `the body is shorter than ${file.size} bytes`);
      const stored = await writer.finish();
      if (!stored) throw new ReplyError('no_file', 'the upload was removed before it was complete');
      this.counters.completed += 1;
      return stored;
    } catch (error) {
      await this.deps.files.discard([writer.id]).catch(() => {
        // Left to the sweep.
      });
      throw error;
    } finally {
      this.close(writer);
    }
  }

  /**
   * Stores the next piece of the session's upload. Returns the frame that ends it (`uploaded`, once every byte came)
   * and the milliseconds to wait before reading the connection again (its user's upload rate). Throws a refusal
   * (the upload is then dropped): more bytes than announced, or the store failed.
   */
  async receive(
    session: Session,
    upload: UploadInProgress,
    bytes: Buffer,
  ): Promise<{ frame?: UploadedFrame; waitMs: number }> {
    // Cancelled, expired or ended by the connection's close while this piece waited: nothing to do.
    if (session.upload !== upload || session.closed) return { waitMs: 0 };
    const { writer } = upload;
    upload.idle?.cancel();
    try {
      await writer.write(bytes);
    } catch (error) {
      await this.drop(session, upload);
      throw error;
    }
    this.counters.bytes += bytes.length;
    // The last piece waits for nothing: the debt it leaves stays with the user's next upload.
    const waitMs = this.rate?.spend(session.user.id, bytes.length) ?? 0;
    if (!writer.complete) {
      // The wait for the next bytes starts once the connection is read again.
      this.watch(session, upload, waitMs);
      return { waitMs };
    }
    let file: FileRef | undefined;
    try {
      file = await writer.finish();
    } catch (error) {
      await this.drop(session, upload);
      throw error;
    }
    this.end(session, upload);
    if (!file) throw new ReplyError('no_file', 'the upload was removed before it was complete');
    this.counters.completed += 1;
    return { frame: { type: 'uploaded', ref: upload.ref, room: upload.room, file }, waitMs: 0 };
  }

  /** Drops the session's upload in progress, if any (cancelled, or the connection closed). */
  async cancel(session: Session): Promise<boolean> {
    const upload = session.upload;
    if (!upload) return false;
    await this.drop(session, upload);
    return true;
  }

  /**
   * Ends an unfinished upload and removes what it stored; when the store cannot (it is what failed), the sweep
   * removes it after `--upload-ttl-ms`: the refusal the client hears is the first failure, not this one.
   */
  private async drop(session: Session, upload: UploadInProgress): Promise<void> {
    this.end(session, upload);
    await this.deps.files.discard([upload.writer.id]).catch(() => {});
  }

  /** The session's upload is over (complete or dropped). */
  private end(session: Session, upload: UploadInProgress): void {
    upload.idle?.cancel();
    if (session.upload !== upload) return;
    session.upload = undefined;
    this.close(upload.writer);
  }

  /**
   * (Re)starts the wait for the upload's next bytes: beyond `--upload-idle-ms` (after `pausedMs`, while the server
   * itself does not read the connection), it is dropped.
   */
  private watch(session: Session, upload: UploadInProgress, pausedMs = 0): void {
    upload.idle?.cancel();
    upload.idle = this.deps.timers.setTimeout(() => {
      if (session.upload !== upload) return;
      void this.drop(session, upload);
      const seconds = this.deps.config.uploadIdleMs / 1000;
      this.deps.refuse(
        session,
        new ReplyError('upload_expired', `no bytes came for ${seconds} s: the upload was dropped`),
        upload.ref,
      );
    }, this.deps.config.uploadIdleMs + pausedMs);
  }

  /** Removes uploads never sent and files whose message is gone (see FileStore.sweep). */
  async sweep(): Promise<number> {
    const now = this.deps.clock.now();
    const removed = await this.deps.files.sweep({
      unsentBefore: now - this.deps.config.uploadTtlMs,
      sentBefore: now - Math.max(this.deps.config.uploadTtlMs, SENT_GRACE_MS),
    });
    this.counters.swept += removed;
    return removed;
  }
}
