// A real SMTP server on loopback that keeps what it receives, parsed, for tests to read.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './ports.ts';

export interface TestSmtp {
  url: string;
  received: ParsedMail[];
  /** Waits for a message to this address (and matching `test`), up to `ms`. */
  waitFor(to: string, test?: (m: ParsedMail) => boolean, ms?: number): Promise<ParsedMail>;
  /** The user a message was sent as, on a server started with a login. */
  userOf(mail: ParsedMail): string | undefined;
  /** While down, the server refuses every message (to test retries). */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

/** With `login`, the server also accepts (and checks) that login, as a firm's own server does. */
export async function startSmtp(opts: { login?: { user: string; password: string } } = {}): Promise<TestSmtp> {
  const received: ParsedMail[] = [];
  const users = new WeakMap<ParsedMail, string>();
  let down = false;
  const { login } = opts;
  const server = new SMTPServer({
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: login ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (login && auth.username === login.user && auth.password === login.password) callback(null, { user: auth.username });
      else callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      if (down) {
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Service unavailable'), { responseCode: 421 })));
        return;
      }
      simpleParser(stream).then(
        (mail) => {
          if (typeof session.user === 'string') users.set(mail, session.user);
          received.push(mail);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    async waitFor(to, test = () => true, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = received.find((m) => addresses(m).includes(to.toLowerCase()) && test(m));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${ms} ms (received: ${received.map((m) => addresses(m).join(',')).join('; ')})`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    userOf: (mail) => users.get(mail),
    setDown(d) {
      down = d;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function addresses(m: ParsedMail): string[] {
  const to = [m.to ?? []].flat();
  return to.flatMap((a) => a.value.map((v) => (v.address ?? '').toLowerCase()));
}
