import { rm } from 'node:fs/promises';

/**
 * Removes a directory tree, retrying while files come and go (EBUSY, ENOTEMPTY, EPERM); says so on stderr instead of
 * throwing. Clean-up that throws in an `after` hook makes node:test skip the hooks registered after it, such as
 * the ones that kill a test's servers (see tempDir).
 */
export async function removeQuietly(dir: string): Promise<void> {
  try {
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  } catch (error) {
    process.stderr.write(`# could not remove ${dir}: ${(error as Error).message}\n`);
  }
}
