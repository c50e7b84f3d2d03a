import type { UserInfo } from '../engine/types.js';

/** Pages shorter than this are encoded every time and never kept. */
const MIN_KEPT = 16;

/** A room's last encoded page: its users and where each one's JSON ends in `json`. */
interface EncodedPage {
  users: UserInfo[];
  ends: number[];
  json: string;
}

/**
 * The JSON of the presence page a `joined` reply carries (the users inside its brackets), kept per room and
 * re-encoded only from the first user that changed. In a room above a page of users the page is the same users
 * but the last one (the joiner) from one join to the next, so a join storm into a room of 190 encodes one user per
 * join instead of fifty (~5 us of the ~8 us JSON.stringify took per reply on this machine). Users compare by id and
 * name (the Redis presence store returns new objects every time). At most `maxRooms` rooms are kept; the least
 * recently stored goes first. Users are `{id, name}` objects.
 */
export class PresencePageJson {
  private readonly rooms = new Map<string, EncodedPage>();

  constructor(private readonly maxRooms: number) {}

  /** Rooms with a page kept. */
  get size(): number {
    return this.rooms.size;
  }

  /** The users' JSON, comma-separated, without the brackets: what `JSON.stringify(users)` has between them. */
  encode(room: string, users: readonly UserInfo[]): string {
    // A short page costs less to encode than to compare, and must not push a big room's page out.
    if (users.length < MIN_KEPT || this.maxRooms <= 0) return JSON.stringify(users).slice(1, -1);
    let page = this.rooms.get(room);
    if (page) this.rooms.delete(room);
    else page = { users: [], ends: [], json: '' };
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
      page.json = page.json.slice(0, same > 0 ? page.ends[same - 1] : 0);
    }
    for (let i = same; i < users.length; i += 1) {
      const user = users[i] as UserInfo;
      page.json += (i > 0 ? ',' : '') + JSON.stringify(user);
      page.users.push(user);
      page.ends.push(page.json.length);
    }
    return page.json;
  }
}

function sameUser(a: UserInfo, b: UserInfo): boolean {
  return a === b || (a.id === b.id && a.name === b.name);
}
