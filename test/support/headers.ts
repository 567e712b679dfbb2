// Extra headers on every request of a client: a client address through X-Forwarded-For (the app
// trusts loopback proxies), or X-Forwarded-Proto: https for an app in production mode.
import type { Client } from './http.ts';

export function withHeaders<C extends Client>(client: C, extra: Record<string, string>): C {
  const request = client.request.bind(client);
  client.request = (method, path, body, headers = {}) => request(method, path, body, { ...extra, ...headers });
  return client;
}

/** The client seen by the app as coming from `ip`. */
export function fromAddress<C extends Client>(client: C, ip: string): C {
  return withHeaders(client, { 'x-forwarded-for': ip });
}
