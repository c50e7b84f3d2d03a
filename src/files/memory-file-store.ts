import type { FileBytes } from './file-bytes.js';
import type { FileRef, FileStore, FoundInFile, NewUpload, ReadableFile, SweepAges } from './file-store.js';

interface FileRecord {
  ref: FileRef;
  owner: string;
  room: string;
  state: 'uploading' | 'ready' | 'sent';
  cid?: string;
  createdAt: number;
}

/**
 * File records in memory (`--store memory`), bytes in a directory. The memory log keeps no message past its
 * history, and knows none by its cid: a sent file stays until its message is deleted or the server stops (its
 * directory is then removed); uploads never sent are swept like everywhere.
 */
export class MemoryFileStore implements FileStore {
  private readonly files = new Map<string, FileRecord>();

  constructor(private readonly bytes: FileBytes) {}

  async begin(upload: NewUpload): Promise<void> {
    this.files.set(upload.id, {
      ref: { id: upload.id, name: upload.name, size: upload.size, type: upload.type },
      owner: upload.owner,
      room: upload.room,
      state: 'uploading',
      createdAt: upload.at,
    });
  }

  write(id: string, seq: number, bytes: Uint8Array): Promise<void> {
    return this.bytes.write(id, seq, bytes);
  }

  async finish(id: string, found: FoundInFile): Promise<FileRef | undefined> {
    const file = this.files.get(id);
    if (file?.state !== 'uploading') return undefined;
    file.state = 'ready';
    file.ref = { id, name: file.ref.name, size: file.ref.size, type: found.type };
    if (found.width !== undefined && found.height !== undefined) {
      file.ref.width = found.width;
      file.ref.height = found.height;
    }
    return { ...file.ref };
  }

  async claim(
    ids: readonly string[],
    owner: string,
    room: string,
    cid: string,
  ): Promise<FileRef[] | undefined> {
    const found: FileRecord[] = [];
    for (const id of ids) {
      const file = this.files.get(id);
      if (!file || file.owner !== owner || file.room !== room) return undefined;
      if (!(file.state === 'ready' || (file.state === 'sent' && file.cid === cid))) return undefined;
      found.push(file);
    }
    for (const file of found) {
      file.state = 'sent';
      file.cid = cid;
    }
    return found.map((file) => ({ ...file.ref }));
  }

  async read(id: string): Promise<ReadableFile | undefined> {
    const file = this.files.get(id);
    if (file?.state !== 'sent') return undefined;
    return { file: { ...file.ref }, bytes: (range) => this.bytes.read(id, range) };
  }

  async usage(owner: string): Promise<number> {
    let bytes = 0;
    for (const file of this.files.values()) if (file.owner === owner) bytes += file.ref.size;
    return bytes;
  }

  async discard(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.files.delete(id);
    await this.bytes.remove(ids);
  }

  async discardSent(room: string, owner: string, cid: string): Promise<void> {
    const sent = [...this.files.values()].filter(
      (file) => file.state === 'sent' && file.owner === owner && file.room === room && file.cid === cid,
    );
    await this.discard(sent.map((file) => file.ref.id));
  }

  async sweep(ages: SweepAges): Promise<number> {
    const due = [...this.files.values()]
      .filter((file) => file.state !== 'sent' && file.createdAt < ages.unsentBefore)
      .map((file) => file.ref.id);
    await this.discard(due);
    return due.length;
  }

  close(): Promise<void> {
    return this.bytes.close();
  }
}
