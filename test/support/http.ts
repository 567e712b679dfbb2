// A small HTTP client for integration tests: talks to 127.0.0.1 with the firm's Host header (Node
// does not resolve *.localhost), keeps cookies like a browser, and reads CSRF tokens from pages.
import http from 'node:http';

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  location: string | undefined;
}

export type Form = Record<string, string | string[]>;
/** A file of a multipart form; several under one name go as an array. */
export type UploadPart = { filename: string; type: string; data: Buffer };

export class Client {
  readonly port: number;
  readonly host: string;
  readonly cookies = new Map<string, string>();
  /** The CSRF token of the last page that had one. */
  csrf = '';

  constructor(port: number, host: string) {
    this.port = port;
    this.host = host;
  }

  get origin(): string {
    return `http://${this.host}:${this.port}`;
  }

  get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    return this.request('GET', path, undefined, headers);
  }

  /** Posts a urlencoded form; adds the current CSRF token unless the form has `_csrf` already. */
  post(path: string, form: Form = {}, { csrf = true }: { csrf?: boolean } = {}): Promise<Response> {
    const body = new URLSearchParams();
    if (csrf && !('_csrf' in form)) body.append('_csrf', this.csrf);
    for (const [k, v] of Object.entries(form)) for (const item of [v].flat()) body.append(k, item);
    return this.request('POST', path, Buffer.from(body.toString()), { 'content-type': 'application/x-www-form-urlencoded' });
  }

  /** Posts multipart/form-data (files as { name, type, data }). */
  postMultipart(path: string, fields: Record<string, string | UploadPart | UploadPart[]>): Promise<Response> {
    const boundary = '----passerelle' + Math.random().toString(16).slice(2);
    const parts: Buffer[] = [];
    for (const [name, v] of Object.entries(fields).flatMap(([k, x]) => (Array.isArray(x) ? x.map((one) => [k, one] as const) : [[k, x] as const]))) {
      if (typeof v === 'string') {
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${v}\r\n`));
      } else {
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${v.filename}"\r\nContent-Type: ${v.type}\r\n\r\n`), v.data, Buffer.from('\r\n'));
      }
    }
    parts.push(Buffer.from(`--${boundary}--\r\n`));
    return this.request('POST', path, Buffer.concat(parts), { 'content-type': `multipart/form-data; boundary=${boundary}` });
  }

  /** Signs in with the demo password (or another); returns the response to the POST. */
  async login(identifier: string, password = 'Demo-Passerelle-2026'): Promise<Response> {
    await this.get('/login');
    return this.post('/login', { identifier, password });
  }

  /** "Mot de passe oublié ?" as an anonymous visitor; returns the answer page. */
  async forgotPassword(identifier: string): Promise<Response> {
    await this.get('/password/forgot');
    return this.post('/password/forgot', { identifier });
  }

  /**
   * Posts a form and, like a browser, follows the redirect as soon as its headers arrive, before
   * the first response has ended; returns the page redirected to.
   */
  async postFollowingAtOnce(path: string, form: Form = {}): Promise<Response> {
    const body = new URLSearchParams({ _csrf: this.csrf });
    for (const [k, v] of Object.entries(form)) for (const item of [v].flat()) body.append(k, item);
    const location = await new Promise<string>((resolve, reject) => {
      const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const payload = Buffer.from(body.toString());
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method: 'POST',
          path,
          headers: { host: `${this.host}:${this.port}`, cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(payload.length) },
        },
        (res) => {
          res.resume();
          if (!res.headers.location) reject(new Error(`no redirect: ${res.statusCode}`));
          else resolve(res.headers.location);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
    return this.get(location);
  }

  sessionId(): string | undefined {
    return this.cookies.get('passerelle.sid');
  }

  request(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Response> {
    return new Promise((resolve, reject) => {
      const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const req = http.request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          headers: { host: `${this.host}:${this.port}`, ...(cookie && { cookie }), ...(body && { 'content-length': String(body.length) }), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            for (const line of res.headers['set-cookie'] ?? []) {
              const [pair] = line.split(';');
              const eq = pair!.indexOf('=');
              const name = pair!.slice(0, eq).trim();
              const value = pair!.slice(eq + 1).trim();
              if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
              else this.cookies.set(name, value);
            }
            const buf = Buffer.concat(chunks);
            const text = buf.toString('utf8');
            const token = /name="_csrf" value="([^"]+)"/.exec(text) ?? /[?&]_csrf=([^"&]+)/.exec(text);
            if (token) this.csrf = decodeURIComponent(token[1]!);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, text, location: res.headers.location });
          });
        },
      );
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });
  }
}

/** The text of the element(s) with this class or id, tags stripped; for asserting on what a user reads. */
export function textOf(html: string, selector: string): string {
  const attr = selector.startsWith('#') ? `id="${selector.slice(1)}"` : `class="[^"]*\\b${selector.slice(1)}\\b[^"]*"`;
  const re = new RegExp(`<([a-z0-9]+)[^>]*${attr}[^>]*>([\\s\\S]*?)</\\1>`, 'gi');
  return [...html.matchAll(re)].map((m) => m[2]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()).join(' | ');
}

/** Decodes the few HTML entities EJS writes, to compare with plain text. */
export function unescapeHtml(s: string): string {
  return s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
