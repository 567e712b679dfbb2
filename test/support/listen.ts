// A bare Express app on a free loopback port, for the tests of one middleware or helper.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';

/**
 * Serves the app that `build` makes to the tests of the enclosing describe(): built and listening
 * before them, closed after. `base` is its address (http://127.0.0.1:<port>) once they run.
 */
export function serveDuringSuite(build: () => http.RequestListener | Promise<http.RequestListener>): { readonly base: string } {
  let server: http.Server | undefined;
  before(async () => {
    server = http.createServer(await build());
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  });
  after(() => {
    if (!server) return;
    server.closeAllConnections(); // a client a test left open must not hold the suite
    return new Promise<void>((resolve) => server!.close(() => resolve()));
  });
  return {
    get base() {
      if (!server) throw new Error('serveDuringSuite: read base in a test, once the app listens');
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
  };
}
