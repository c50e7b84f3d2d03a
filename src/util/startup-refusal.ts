/**
 * An instance refuses to start for a reason its operator fixes, not a fault: a data directory another process
 * holds, a database migrated by a newer version. The command line prints its message on one line, without a stack
 * trace, and exits with 2 (as for a port in use).
 */
export class StartupRefusal extends Error {
  override readonly name = 'StartupRefusal';
}
