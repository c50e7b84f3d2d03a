import { StartupRefusal } from '../util/startup-refusal.js';

/** Node's errors for a server that cannot be reached, and PostgreSQL's for a login or database that is refused. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
]);
const REFUSED_SQLSTATE = /^(28|3D)/;
/** node-postgres's own, without a code: the connection timed out (`--database-timeout-ms`) or was cut. */
const DRIVER_GAVE_UP = /^Connection terminated|^timeout exceeded when trying to connect/;

/**
 * The first statement's failure, when it says the database cannot be reached or refuses us: a start-up refusal the
 * operator fixes (start PostgreSQL, correct `--database-url`), stated in one line instead of a driver's stack trace.
 */
export function databaseRefusal(error: unknown): StartupRefusal | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  const refused =
    typeof code === 'string'
      ? UNREACHABLE.has(code) || REFUSED_SQLSTATE.test(code)
      : DRIVER_GAVE_UP.test(error.message);
  if (!refused) return undefined;
  return new StartupRefusal(
    `the database cannot be used (${error.message}): start it, or check --database-url`,
  );
}
