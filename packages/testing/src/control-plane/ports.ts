import { createServer } from 'node:net';

/**
 * Asks the kernel for a free TCP port on `host`. The port is released before
 * returning, so a racing process could take it; callers bind promptly and the
 * control plane retries start-up once on "address already in use".
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a listening socket'));
      });
    });
  });
}
