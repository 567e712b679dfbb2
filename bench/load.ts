// What the benchmarks share: signing in through the real form, a plain request, and wrk's load
// with its figures read back.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';

/** wrk (Debian's package) is installed: written in C, it leaves more of the two cores to the servers measured. */
export const HAS_WRK = !spawnSync('wrk', ['--version']).error;

export interface Measure {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Signs in through the real form once; every connection then reuses the session. */
export async function signIn(port: number, firm: string, identifier: string, password: string): Promise<string> {
  const page = await request(port, firm, 'GET', '/login');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
  const body = new URLSearchParams({ _csrf: token, identifier, password, next: '/' }).toString();
  const res = await request(port, firm, 'POST', '/login', page.cookie, body);
  if (res.status !== 303 || !res.cookie) throw new Error(`bench sign-in failed (${res.status})`);
  return res.cookie;
}

export function request(port: number, firm: string, method: string, p: string, cookie?: string, body?: string): Promise<{ status: number; body: string; cookie?: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: `${firm}.localhost:${port}` };
    if (cookie) headers.cookie = cookie;
    if (body) Object.assign(headers, { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) });
    const req = http.request({ host: '127.0.0.1', port, method, path: p, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, cookie: res.headers['set-cookie']?.[0]?.split(';')[0] ?? cookie }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** wrk on one URL of the app at `port`: `connections` connections on `threads` threads for `seconds`. */
export async function wrk(port: number, path: string, headers: Record<string, string>, opts: { seconds: number; connections: number; threads: number }): Promise<Measure & { requests: number }> {
  const out = await runWrk([
    `-t${opts.threads}`, `-c${opts.connections}`, `-d${opts.seconds}s`, '--latency',
    // wrk adds its own Host header unless given one spelt "Host".
    ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k === 'host' ? 'Host' : k}: ${v}`]),
    `http://127.0.0.1:${port}${path}`,
  ]);
  const ms = (label: string) => {
    const m = new RegExp(`^\\s+${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    if (!m) return NaN;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const errors = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) + (/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)?.slice(1).reduce((a, b) => a + Number(b), 0) ?? 0);
  return { rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]), p50: ms('50'), p99: ms('99'), errors, requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0) };
}

function runWrk(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args);
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
}
