import type { UserInfo } from '../engine/types.js';

/** Pages shorter than this are encoded every time and never kept. */
const MIN_KEPT = 16;
/** A kept page's first buffer: fifty users of ~40 bytes. */
const FIRST_CAPACITY = 2048;

/** A room's last encoded page: its users, its bytes, and where each user's JSON ends in them. */
interface EncodedPage {
  users: UserInfo[];
  ends: number[];
  bytes: Buffer;
  length: number;
}

/**
 * The JSON of the presence page a `joined` reply carries (the users inside its brackets, as UTF-8), kept per room
 * and re-encoded only from the first user that changed. In a room above a page of users the page is the same users
 * but the last one (the joiner) from one join to the next, so a join storm into a room of 190 encodes one user per
 * join instead of fifty, and the reply copies the page's bytes instead of re-reading a string of them (measured in
 * docs/benchmarks-log.md, the fifth and tenth sessions). Users compare by id and name (the Redis presence store returns new objects every time). At
 * most `maxRooms` rooms are kept; the least recently stored goes first. Users are `{id, name}` objects.
 */
export class PresencePageJson {
  private readonly rooms = new Map<string, EncodedPage>();

  constructor(private readonly maxRooms: number) {}

  /** Rooms with a page kept. */
  get size(): number {
    return this.rooms.size;
  }

  /**
   * The users' JSON, comma-separated, without the brackets: what `JSON.stringify(users)` has between them, as UTF-8.
   * The bytes may be the room's kept page: valid until the next call (copy them before, as encodeJoined does).
   */
  encode(room: string, users: readonly UserInfo[]): Buffer {
    // A short page costs less to encode than to compare, and must not push a big room's page out.
    if (users.length < MIN_KEPT || this.maxRooms <= 0) return Buffer.from(JSON.stringify(users).slice(1, -1));
    let page = this.rooms.get(room);
    if (page) this.rooms.delete(room);
    else page = { users: [], ends: [], bytes: Buffer.allocUnsafeSlow(FIRST_CAPACITY), length: 0 };
    if (this.rooms.size >= this.maxRooms) {
      const oldest = this.rooms.keys().next().value;
      if (oldest !== undefined) this.rooms.delete(oldest);
    }
    // Map order is storing order: the room just encoded goes last.
    this.rooms.set(room, page);
    let same = 0;
    const common = Math.min(page.users.length, users.length);
    while (same < common && sameUser(page.users[same] as UserInfo, users[same] as UserInfo)) same += 1;
    if (same < page.users.length) {
      page.users.length = same;
      page.ends.length = same;
      page.length = same > 0 ? (page.ends[same - 1] as number) : 0;
    }
    for (let i = same; i < users.length; i += 1) {
      const user = users[i] as UserInfo;
      append(page, (i > 0 ? ',' : '') + JSON.stringify(user));
      page.users.push(user);
      page.ends.push(page.length);
    }
    return page.bytes.subarray(0, page.length);
  }
}

/** Appends `json` to the page's bytes, in a buffer twice as big when it does not fit. */
function append(page: EncodedPage, json: string): void {
  const needed = page.length + Buffer.byteLength(json);
  if (needed > page.bytes.length) {
    // Kept for as long as the room is: its own memory, not a slice of the shared pool that would pin the rest.
    const bigger = Buffer.allocUnsafeSlow(Math.max(needed, page.bytes.length * 2));
    page.bytes.copy(bigger, 0, 0, page.length);
    page.bytes = bigger;
  }
  page.length += page.bytes.write(json, page.length);
}

function sameUser(a: UserInfo, b: UserInfo): boolean {
  return a === b || (a.id === b.id && a.name === b.name);
}
