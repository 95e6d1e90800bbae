// SMTP front for the local test services: accepts mail over plain SMTP and hands every message,
// byte for byte, to Dovecot over LMTP, so whatever the bot "sends" lands in an IMAP mailbox the
// tests can read back. Started and stopped by scripts/services.sh (and run as its own container
// in docker-compose.yml); not part of the bot itself.
//
// Configuration (environment):
//   HELPDESK_SMTP_HOST / HELPDESK_SMTP_PORT   where to listen        (127.0.0.1:25250)
//   HELPDESK_LMTP_HOST / HELPDESK_LMTP_PORT   Dovecot LMTP endpoint  (127.0.0.1:24240)
//   HELPDESK_SMTP_RELAY_PIDFILE               if set, our pid is written there once listening
//
// Behaviour:
//   - AUTH is optional; AUTH PLAIN/LOGIN succeeds for any user name with password `test`.
//   - No TLS (loopback only). Messages up to 50 MB.
//   - One LMTP transaction per accepted message, with every RCPT of the SMTP transaction.
//     LMTP answers per recipient, SMTP can answer only once for the whole message: if every
//     recipient was delivered we answer 250, otherwise we pass the LMTP reply on (a 4xx stays
//     4xx so the sender retries, a 5xx stays 5xx). On a partial failure the recipients that did
//     get the message would get it again on a retry; each such case is logged.
//   - One log line per message on stdout.
import { writeFileSync } from 'node:fs';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import nodemailer from 'nodemailer';

const SIZE_LIMIT = 50 * 1024 * 1024;

function envPort(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name}=${raw} is not a TCP port`);
  }
  return port;
}

const smtpHost = process.env.HELPDESK_SMTP_HOST || '127.0.0.1';
const smtpPort = envPort('HELPDESK_SMTP_PORT', 25250);
const lmtpHost = process.env.HELPDESK_LMTP_HOST || '127.0.0.1';
const lmtpPort = envPort('HELPDESK_LMTP_PORT', 24240);

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

/** An error smtp-server turns into an SMTP reply with this code. */
class SmtpReply extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

/** The reply code and text of an LMTP reply line such as `452 4.2.2 Mailbox is full`. */
function parseReply(response: unknown, fallbackCode: number): { code: number; text: string } {
  const line = typeof response === 'string' ? response.trim().split(/\r?\n/).pop() ?? '' : '';
  const match = /^([2-5]\d\d)[ -](.*)$/.exec(line);
  if (match?.[1] && match[2] !== undefined) return { code: Number(match[1]), text: match[2] };
  return { code: fallbackCode, text: line };
}

interface RecipientError {
  recipient?: string;
  response?: string;
  responseCode?: number;
}

const lmtp = nodemailer.createTransport({
  lmtp: true,
  host: lmtpHost,
  port: lmtpPort,
  secure: false,
  ignoreTLS: true, // Dovecot runs with ssl = no; never try STARTTLS
  name: 'smtp-relay.helpdesk.test', // LHLO name, shows up in Dovecot's Received: header
  connectionTimeout: 30_000,
  greetingTimeout: 30_000,
  socketTimeout: 120_000,
});

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function deliver(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
  // smtp-server has already undone the dot-stuffing; this is the message exactly as composed.
  const raw = await readAll(stream);
  const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const to = session.envelope.rcptTo.map((r) => r.address);
  const what = `id=${session.id} from=<${from}> to=<${to.join(',')}> size=${raw.length}`;

  if (stream.sizeExceeded) {
    log(`rejected ${what} reason="message larger than ${SIZE_LIMIT} bytes"`);
    throw new SmtpReply(`5.3.4 Message larger than ${SIZE_LIMIT} bytes`, 552);
  }

  let info;
  try {
    // `raw` makes nodemailer send the buffer untouched (no headers added, no re-encoding); the
    // explicit envelope keeps the SMTP envelope (incl. the null sender <>) instead of headers.
    info = await lmtp.sendMail({ envelope: { from, to }, raw });
  } catch (err) {
    const e = err as Error & RecipientError & { code?: string; rejectedErrors?: RecipientError[] };
    // LMTP refused the envelope or the message: pass its reply on, preferring a temporary one.
    const first = e.rejectedErrors?.find((r) => (r.responseCode ?? 500) < 500) ?? e.rejectedErrors?.[0];
    const response = first?.response ?? e.response;
    // No LMTP reply at all (Dovecot down, timeout): temporary, the sender should retry.
    const reply = response
      ? parseReply(response, first?.responseCode ?? e.responseCode ?? 451)
      : { code: 451, text: `4.4.1 LMTP delivery failed: ${[e.code, e.message].filter(Boolean).join(' ')}` };
    if (reply.code < 400) reply.code = 451;
    log(`failed ${what} reply="${reply.code} ${reply.text}"`);
    throw new SmtpReply(reply.text, reply.code);
  }

  const rejected = (info.rejectedErrors ?? []) as RecipientError[];
  if (rejected.length === 0) {
    log(`delivered ${what} lmtp="${String(info.response ?? '').trim()}"`);
    return;
  }
  // Partial (or total) failure after DATA: prefer a temporary reply so nothing is lost.
  const worst = rejected.find((r) => (r.responseCode ?? 500) < 500) ?? rejected[0]!;
  const reply = parseReply(worst.response, worst.responseCode ?? 451);
  const accepted = (info.accepted ?? []).map(String);
  log(
    `failed ${what} delivered-to=<${accepted.join(',')}> ` +
      `rejected=${rejected.map((r) => `<${r.recipient ?? '?'}> "${(r.response ?? '').trim()}"`).join(' ')}`,
  );
  throw new SmtpReply(`${reply.text} (recipient ${worst.recipient ?? '?'})`, reply.code);
}

const server = new SMTPServer({
  name: 'smtp-relay.helpdesk.test',
  banner: 'helpdesk test relay (delivers to Dovecot LMTP)',
  secure: false,
  disabledCommands: ['STARTTLS'],
  hideSTARTTLS: true,
  allowInsecureAuth: true, // without this smtp-server refuses AUTH on a plain connection
  authOptional: true,
  authMethods: ['PLAIN', 'LOGIN'],
  size: SIZE_LIMIT,
  disableReverseLookup: true, // no DNS here; a reverse lookup would stall every greeting
  logger: false,
  maxClients: 1000,
  onAuth(auth, _session, callback) {
    if (auth.password === 'test') return callback(null, { user: auth.username ?? 'test' });
    return callback(new SmtpReply('5.7.8 Authentication failed (the password is "test")', 535));
  },
  onData(stream, session, callback) {
    deliver(stream, session).then(
      () => callback(null),
      (err: unknown) => {
        // make sure the rest of the message is consumed before we answer
        stream.resume();
        callback(err instanceof Error ? err : new Error(String(err)));
      },
    );
  },
});

server.on('error', (err: Error & { code?: string }) => {
  log(`server error ${err.code ?? ''} ${err.message}`);
  if (err.code === 'EADDRINUSE' || err.code === 'EACCES') process.exit(1);
});

server.listen(smtpPort, smtpHost, () => {
  const pidFile = process.env.HELPDESK_SMTP_RELAY_PIDFILE;
  if (pidFile) writeFileSync(pidFile, `${process.pid}\n`);
  log(`listening on ${smtpHost}:${smtpPort}, delivering to lmtp://${lmtpHost}:${lmtpPort}`);
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    log(`${signal}: shutting down`);
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
