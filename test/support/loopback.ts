import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

/**
 * Checks that embedded servers are reachable on 127.0.0.1 only (Linux: they read the kernel's
 * socket tables and rely on 127/8 being routed to the loopback interface).
 */

/** Local addresses of listening TCP sockets on `port`, as the kernel reports them (hex, e.g. 0100007F). */
export function listeningAddresses(port: number): string[] {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const found: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      // State 0A is LISTEN.
      if (local?.endsWith(`:${portHex}`) && state === '0A') found.push(local.split(':')[0]);
    }
  }
  return found;
}

/** Resolves to 'connected', or the error code of the attempt (e.g. ECONNREFUSED). */
export function tryConnect(host: string, port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}
