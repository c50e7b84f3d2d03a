/**
 * Moves conversations from the embedded store to PostgreSQL (`parley copy-to-postgres`, docs/operations.md): every
 * row of every Parley table, and the files' bytes, which the embedded store keeps as files in its data directory and
 * PostgreSQL in `parley_file_chunks`. Both databases are PostgreSQL with the same migrations, so the copy is generic
 * (each table's rows as they are, column by column, by name): a table a later migration adds is copied too.
 */
import type { FileBytes } from '../files/file-bytes.js';
import { StartupRefusal } from '../util/startup-refusal.js';
import { migrate } from './migrate.js';
import type { SqlDatabase, SqlRunner } from './sql.js';

/**
 * Table blocks (8 KB each) read and written per statement: ~256 KB of rows, a few hundred messages, as JSON. A row
 * larger than a block is kept outside it (TOAST), so a page stays within a few MB whatever the rows.
 */
const BLOCKS_PER_PAGE = 32;
/** The pieces a file's bytes are stored in on PostgreSQL (as an upload's frames would be: any size works). */
const PIECE_BYTES = 256 * 1024;

/** What a copy did: rows per table, in the order copied, and the files' bytes. */
export interface CopySummary {
  tables: Array<{ table: string; rows: number }>;
  files: number;
  fileBytes: number;
  /** Files whose record was copied but whose bytes were not in the data directory (removed by hand?). */
  missingFiles: string[];
}

/** The store's tables (all `parley_*` tables but the migrations' own), each after those its foreign keys name. */
async function tablesInOrder(db: SqlRunner): Promise<string[]> {
  const { rows: tables } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname = current_schema() AND c.relname LIKE 'parley\\_%'
       AND c.relname <> 'parley_migrations'
     ORDER BY c.relname`,
  );
  const { rows: references } = await db.query<{ child: string; parent: string }>(
    `SELECT ch.relname AS child, pa.relname AS parent FROM pg_constraint k
     JOIN pg_class ch ON ch.oid = k.conrelid JOIN pg_class pa ON pa.oid = k.confrelid
     WHERE k.contype = 'f' AND ch.relname LIKE 'parley\\_%'`,
  );
  const ordered: string[] = [];
  const placed = new Set<string>();
  const place = (table: string, path: string[]): void => {
    if (placed.has(table)) return;
    if (path.includes(table)) throw new Error(`foreign keys in a cycle: ${[...path, table].join(' → ')}`);
    for (const { child, parent } of references)
      if (child === table && parent !== table) place(parent, [...path, table]);
    placed.add(table);
    ordered.push(table);
  };
  for (const { name } of tables) place(name, []);
  return ordered;
}

/** The table's name as SQL (they are ours, `parley_` and letters: quoted all the same). */
const quoted = (table: string) => `"${table.replaceAll('"', '""')}"`;

/** How many rows a table has. */
async function countOf(db: SqlRunner, table: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoted(table)}`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Copies `source` (the embedded store, its files' bytes in `sourceFiles`) into `target` (PostgreSQL), which must hold
 * no conversations: both are migrated to this version first, then every table is copied in one transaction of the
 * target (all or nothing), a range of the source's blocks at a time, and the row counts compared before it
 * commits. Nothing may write the source meanwhile (its data directory's lock sees to that). `report` hears each table as it is done.
 * @throws StartupRefusal when the target already holds rows (nothing is written)
 */
export async function copyToPostgres(
  source: SqlDatabase,
  sourceFiles: FileBytes,
  target: SqlDatabase,
  report: (line: string) => void = () => {},
): Promise<CopySummary> {
  await migrate(source);
  await migrate(target);
  const tables = await tablesInOrder(target);
  const sourceTables = new Set(await tablesInOrder(source));
  const missing = tables.filter((table) => !sourceTables.has(table));
  if (missing.length > 0) throw new Error(`the embedded store lacks tables: ${missing.join(', ')}`);
  for (const table of tables) {
    if ((await countOf(target, table)) > 0) {
      throw new StartupRefusal(
        `the target database already holds conversations (${table} is not empty): copy into a new, empty database`,
      );
    }
  }
  return target.transaction(async (tx) => {
    const summary: CopySummary = { tables: [], files: 0, fileBytes: 0, missingFiles: [] };
    for (const table of tables) {
      let copied = 0;
      const { rows: size } = await source.query<{ blocks: string }>(
        `SELECT pg_relation_size($1) / current_setting('block_size')::int AS blocks`,
        [table],
      );
      // By physical position, a range of blocks at a time (a TID range scan: every range as cheap as the first;
      // an ORDER BY ctid after the last row read sorted the rest of the table at each page).
      for (let block = 0; block < Number(size[0]?.blocks ?? 0); block += BLOCKS_PER_PAGE) {
        const { rows } = await source.query<{ row: string }>(
          `SELECT row_to_json(t)::text AS row FROM ${quoted(table)} t
           WHERE t.ctid >= $1::tid AND t.ctid < $2::tid`,
          [`(${block},0)`, `(${block + BLOCKS_PER_PAGE},0)`],
        );
        if (rows.length === 0) continue;
        await tx.query(
          `INSERT INTO ${quoted(table)} SELECT * FROM json_populate_recordset(NULL::${quoted(table)}, $1::json)`,
          [`[${rows.map((r) => r.row).join(',')}]`],
        );
        copied += rows.length;
      }
      const expected = await countOf(source, table);
      if (copied !== expected || (await countOf(tx, table)) !== expected) {
        throw new Error(`${table}: ${expected} rows in the embedded store, ${copied} copied`);
      }
      summary.tables.push({ table, rows: copied });
      report(`${table}: ${copied} rows`);
    }
    // The files' bytes: on disk in the data directory, in parley_file_chunks on PostgreSQL.
    const { rows: files } = await tx.query<{ id: string }>('SELECT id FROM parley_files ORDER BY id');
    for (const { id } of files) {
      const { stored, bytes } = await copyFileBytes(sourceFiles, tx, id);
      if (!stored) summary.missingFiles.push(id);
      else {
        summary.files += 1;
        summary.fileBytes += bytes;
      }
    }
    report(`files: ${summary.files} (${summary.fileBytes} bytes)`);
    return summary;
  });
}

/** One file's bytes into `parley_file_chunks`, in pieces; `stored` false when the data directory has none. */
async function copyFileBytes(
  from: FileBytes,
  to: SqlRunner,
  id: string,
): Promise<{ stored: boolean; bytes: number }> {
  let seq = 0;
  let bytes = 0;
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    await to.query('INSERT INTO parley_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)', [
      id,
      seq,
      Buffer.concat(pending),
    ]);
    seq += 1;
    pending = [];
    pendingBytes = 0;
  };
  try {
    for await (const piece of from.read(id)) {
      pending.push(piece);
      pendingBytes += piece.length;
      bytes += piece.length;
      if (pendingBytes >= PIECE_BYTES) await flush();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { stored: false, bytes: 0 };
    throw error;
  }
  await flush();
  return { stored: true, bytes };
}
