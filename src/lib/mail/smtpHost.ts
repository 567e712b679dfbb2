// A firm's SMTP server is typed by its supervisor: without care, a firm could make the platform
// connect to the platform's own network (a database, an admin port) and read the errors back on
// its settings page. In production the host must resolve to public addresses only, and the worker
// connects to the address it checked (no second lookup that DNS could answer differently).
import { lookup } from 'node:dns/promises';
import net from 'node:net';

const PRIVATE = new net.BlockList();
for (const [prefix, bits] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) PRIVATE.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]] as const) PRIVATE.addSubnet(prefix, bits, 'ipv6');

export class PrivateSmtpHost extends Error {
  constructor(host: string) {
    super(`the firm's SMTP host ${host} resolves to a private or local address, which this platform does not connect to`);
  }
}

export function isPrivateAddress(address: string): boolean {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (v4) return PRIVATE.check(v4, 'ipv4');
  return PRIVATE.check(address, net.isIPv6(address) ? 'ipv6' : 'ipv4');
}

/** The address to connect to for `host`; refused when any of its addresses is private, unless allowed. */
export async function smtpAddressOf(host: string, allowPrivate: boolean): Promise<string> {
  const addresses = await lookup(host, { all: true, verbatim: true });
  if (!addresses.length) throw new Error(`the firm's SMTP host ${host} does not resolve`);
  if (!allowPrivate && addresses.some((a) => isPrivateAddress(a.address))) throw new PrivateSmtpHost(host);
  return addresses[0]!.address;
}
