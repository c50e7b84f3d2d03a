import { createServer } from 'node:net';

/** A listen error as one line that says what to do, or undefined for errors that are not about the address. */
export function listenProblem(error: NodeJS.ErrnoException, host: string, port: number): string | undefined {
  if (error.code === 'EADDRINUSE') {
    return `port ${port} is already in use${host ? ` on ${host}` : ''}: stop what runs there, or choose another port (--port ${port === 9000 ? 9001 : 9000} or PORT=${port === 9000 ? 9001 : 9000})`;
  }
  if (error.code === 'EACCES') {
    return `port ${port} needs privileges on this system: use a port above 1023 (--port 8080), behind a proxy for 80/443`;
  }
  if (error.code === 'EADDRNOTAVAIL') {
    return `${host} is not an address of this machine: choose one it has (--host 0.0.0.0 for every address)`;
  }
  return undefined;
}

/**
 * Tries the address before anything starts (the embedded store must not open a data directory that another
 * Parley on that port is using, and a taken port should cost no start-up): undefined when it is free.
 */
export function checkPort(host: string, port: number): Promise<string | undefined> {
  if (port === 0) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      resolve(listenProblem(error, host, port) ?? error.message),
    );
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}
