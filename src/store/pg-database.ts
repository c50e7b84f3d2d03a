import pg from 'pg';
import type { Logger } from '../util/logger.js';
import { PLAN_CACHE_MODE, type SqlDatabase, type SqlResult, type SqlRunner, type SqlSession } from './sql.js';

/** The advisory lock key of Parley's migrations (any constant; "parley" in ASCII). */
const MIGRATION_LOCK = 0x7061726c6579;

/** Settings of {@link PgDatabase}. */
export interface PgDatabaseOptions {
  url: string;
  /** Longest wait for a connection or a statement. */
  timeoutMs: number;
  /** Longest wait for a statement, when it is not `timeoutMs` (a command copying a whole store). */
  statementTimeoutMs?: number;
  /** Connections in the pool. */
  maxConnections: number;
  logger: Logger;
}

/**
 * How long a migration's statement may take, and the wait for another process's migration: not the pool's
 * statement timeout (`--database-timeout-ms`, seconds), which an index over a large table outlasts (migration 007
 * builds two at ~14 s per million messages).
 */
const MIGRATION_TIMEOUT_MS = 3_600_000;

/** Runs statements on one checked-out client (each within `timeoutMs` when given, else the pool's timeout). */
function clientRunner(client: pg.PoolClient, timeoutMs?: number): SqlSession {
  const limit = timeoutMs !== undefined ? { query_timeout: timeoutMs } : {};
  const runner: SqlRunner = {
    query: async <Row>(text: string, params?: unknown[], name?: string) => {
      const result = await client.query({ text, values: params, name, ...limit });
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    script: async (sql) => {
      await client.query({ text: sql, ...limit });
    },
  };
  return {
    ...runner,
    transaction: async (work) => {
      await client.query('BEGIN');
      try {
        const result = await work(runner);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
  };
}

/**
 * PostgreSQL through node-postgres' pool. A client whose transaction failed is not reused (the pool opens a fresh
 * one), and a connection that breaks while idle or checked out is counted and logged, never fatal.
 */
export class PgDatabase implements SqlDatabase {
  /** Connections lost (idle or in use). */
  connectionErrors = 0;
  private readonly pool: pg.Pool;

  constructor(private readonly options: PgDatabaseOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections,
      connectionTimeoutMillis: options.timeoutMs,
      query_timeout: options.statementTimeoutMs ?? options.timeoutMs,
      // Set at each connection's start (see PLAN_CACHE_MODE).
      options: `-c plan_cache_mode=${PLAN_CACHE_MODE}`,
    });
    this.pool.on('error', (error) => this.lost(error));
  }

  async query<Row>(text: string, params?: unknown[], name?: string): Promise<SqlResult<Row>> {
    // node-postgres prepares a named statement on each pooled connection the first time it runs there.
    const result = await this.pool.query({ text, values: params, name });
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  }

  async script(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  exclusive<T>(work: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.withClient(MIGRATION_TIMEOUT_MS, async (session) => {
      await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        return await work(session);
      } finally {
        await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
      }
    });
  }

  transaction<T>(work: (tx: SqlRunner) => Promise<T>): Promise<T> {
    return this.withClient(undefined, (session) => session.transaction(work));
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  private async withClient<T>(
    timeoutMs: number | undefined,
    work: (session: SqlSession) => Promise<T>,
  ): Promise<T> {
    const client = await this.pool.connect();
    // A connection that breaks while checked out emits 'error' on the client: unheard, that event would end the
    // process. The failure reaches the caller anyway, as the rejection of the statement in progress.
    const onError = (error: Error): void => this.lost(error);
    client.on('error', onError);
    let broken: Error | undefined;
    try {
      return await work(clientRunner(client, timeoutMs));
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      client.off('error', onError);
      // A client whose work failed is not trusted again.
      client.release(broken);
    }
  }

  private lost(error: Error): void {
    this.connectionErrors += 1;
    this.options.logger.warn({ error: error.message }, 'database connection lost');
  }
}
