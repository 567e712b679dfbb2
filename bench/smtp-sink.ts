// The SMTP server of the outbox benchmark, in its own process as a real one would be: the tests'
// server (test/support/smtp.ts: every message parsed and kept). Tells its URL to its parent once
// listening; on 'report' sends back the Message-ID of every message received since the last 'reset'.
import { startSmtp } from '../test/support/smtp.ts';

const smtp = await startSmtp();
process.on('message', (msg: string) => {
  if (msg === 'reset') smtp.received.length = 0;
  if (msg === 'report') process.send?.({ messageIds: smtp.received.map((m) => m.messageId ?? '') });
});
process.on('SIGTERM', () => void smtp.close().then(() => process.exit(0)));
process.send?.({ url: smtp.url });
