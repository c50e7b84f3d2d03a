import type { PageRequest } from './room-directory.js';

/** A page of a listing, and the cursor of the next one when more follow. */
export interface KeysetPage<Item, Cursor> {
  items: Item[];
  next?: Cursor;
}

/**
 * A keyset page of a directory listing: reads one row more than `limit`, so that whether another page follows is
 * known without counting; `next` is then the cursor of the page's last row (passed back as `after`).
 */
export async function keysetPage<Row, Item, Cursor>(
  after: Cursor | undefined,
  limit: number,
  read: (page: PageRequest<Cursor>) => Promise<Row[]>,
  item: (row: Row) => Item,
  cursorOf: (row: Row) => Cursor,
): Promise<KeysetPage<Item, Cursor>> {
  const rows = await read({ ...(after !== undefined ? { after } : {}), limit: limit + 1 });
  const items = rows.slice(0, limit).map(item);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return last === undefined ? { items } : { items, next: cursorOf(last) };
}
