/** Which first-statement failures are the operator's to fix (one line, exit 2), and which stay faults. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { databaseRefusal } from '../../src/store/database-refusal.js';

const failure = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});

describe('databaseRefusal', () => {
  it('names an unreachable server, a refused login or database, and a connection the driver gave up on', () => {
    for (const error of [
      failure('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      failure('getaddrinfo ENOTFOUND db.internal', 'ENOTFOUND'),
      failure('password authentication failed for user "parley"', '28P01'),
      failure('database "parley" does not exist', '3D000'),
      failure('Connection terminated unexpectedly'),
      failure('timeout exceeded when trying to connect'),
    ]) {
      const refusal = databaseRefusal(error);
      assert.ok(refusal, error.message);
      assert.equal(
        refusal.message,
        `the database cannot be used (${error.message}): start it, or check --database-url`,
      );
    }
  });

  it('leaves other failures as they are', () => {
    for (const error of [
      failure('syntax error at or near "SELEC"', '42601'),
      failure('store used before start'),
      'not an error',
      undefined,
    ]) {
      assert.equal(databaseRefusal(error), undefined, String(error));
    }
  });
});
