import { RateLimitError } from '../engine/engine.js';
import { ReplyError } from '../protocol/error-codes.js';

/**
 * The SQL database the store runs on, as the store needs it: parameterised statements, transactions, and one
 * exclusive session for migrations. Two implementations: PostgreSQL through a connection pool
 * (`pg-database.ts`) and the embedded PGlite (`pglite-database.ts`), which runs the same SQL in the process.
 */

/**
 * How every session of the store plans its prepared (named) statements: once, generically. PostgreSQL's default
 * (`auto`) plans the first five runs for their parameters and then keeps planning each run whenever the generic
 * plan looks dearer than those; the group commit's statement, one large query, then cost its planning (~0.9 ms in
 * PGlite) on every commit: 1.37 ms of CPU per one-message commit in PGlite, 0.56 ms with the generic plan. Every
 * named statement is a lookup by key written to stay one with a generic plan
 * (test/integration/store-statements.test.ts checks their plans).
 */
export const PLAN_CACHE_MODE = 'force_generic_plan';

/** What a statement returns. */
export interface SqlResult<Row> {
  rows: Row[];
  /** Rows inserted, updated or deleted (0 for a SELECT on some drivers: use `rows`). */
  rowCount: number;
}

/** Runs statements (on a pool, in a transaction, or on an exclusive session). */
export interface SqlRunner {
  /**
   * One statement with `$1`-style parameters. With a `name`, the statement is parsed and planned once per
   * connection and reused (a prepared statement): for the hot path, whose planning would cost more than running
   * it. A name always stands for the same text.
   */
  query<Row = Record<string, unknown>>(
    text: string,
    params?: unknown[],
    name?: string,
  ): Promise<SqlResult<Row>>;
  /** Several statements without parameters (a migration file). */
  script(sql: string): Promise<void>;
}

/** A session that may run transactions. */
export interface SqlSession extends SqlRunner {
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws (and the error
   * rethrown). Nothing else runs in that transaction.
   */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
}

/** The database: statements on any connection, transactions on an exclusive session. */
export interface SqlDatabase extends SqlRunner {
  /**
   * Runs `work` on one session while holding Parley's migration lock (a PostgreSQL advisory lock, so that several
   * processes starting at once take turns).
   */
  exclusive<T>(work: (session: SqlSession) => Promise<T>): Promise<T>;
  /**
   * Runs `work` in one transaction on a connection of its own: committed when it resolves, rolled back when it
   * throws (and the error rethrown). For changes that read before they write (an action on a message).
   */
  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T>;
  /** Closes every connection. */
  close(): Promise<void>;
}

/**
 * SQLSTATE classes that mean "the database cannot serve now" (connection exceptions, insufficient resources,
 * operator intervention such as a shutdown), as opposed to a wrong query.
 */
const UNAVAILABLE_STATE = /^(08|53|57)/;

/**
 * True when the error means the database could not be reached or could not serve (as opposed to a statement it
 * refused, or a bug): errors without a SQLSTATE (network, timeout) and the classes above.
 */
export function isUnavailable(error: unknown): boolean {
  // A bug in our own code (a TypeError while building a statement or reading its rows) is not an outage.
  if (error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError)
    return false;
  // A refusal decided inside a transaction (an action on a message it may not take) is an answer, not an outage.
  if (error instanceof ReplyError || error instanceof RateLimitError) return false;
  const state = (error as { code?: unknown } | undefined)?.code;
  const sqlState = typeof state === 'string' && /^[0-9A-Z]{5}$/.test(state) ? state : undefined;
  return sqlState === undefined || UNAVAILABLE_STATE.test(sqlState);
}
