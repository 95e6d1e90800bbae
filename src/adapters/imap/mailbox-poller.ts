// One poller per service mailbox: IDLE for prompt delivery plus a safety poll, UID-range
// fetches, and a commit callback that stores each batch in one transaction before the mails
// are moved out of INBOX. A mail only leaves INBOX after its commit, so a crash at any point
// leaves it either uncommitted (fetched again) or committed (UID <= lastUid: moved on restart).
// The caller says what became of each mail (a MailDisposition); only this file knows folders.
// Traps: imapflow's messageMove does not throw on a refused MOVE, it returns false (checked,
// retried, then thrown, so the mails are moved as leftovers after a reconnect); and a login
// that succeeds is not a recovery: the reconnect backoff resets only after a complete drain.
import type { ImapFlow } from 'imapflow';
import type { ImapEndpoint } from '../../config/env.ts';
import { errorMessage, HelpdeskError, isHelpdeskError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/logger.ts';
import { createImapClient, ensureFolder } from './imap-client.ts';
import { afterFailure, DEFAULT_RECONNECT_POLICY, type ReconnectPolicy } from './reconnect-policy.ts';

export const PROCESSED_FOLDER = 'Processed';
export const QUARANTINE_FOLDER = 'Quarantine';

/** What became of a committed mail: stored on a ticket (or dropped as a duplicate/loop), or quarantined. */
export type MailDisposition = 'processed' | 'quarantined';

const FOLDER_OF: Record<MailDisposition, string> = { processed: PROCESSED_FOLDER, quarantined: QUARANTINE_FOLDER };
/** a refused MOVE is tried this often on the same connection before the poller reconnects */
const MOVE_ATTEMPTS = 3;

export interface FetchedMail {
  uid: number;
  internalDate: Date;
  raw: Buffer;
}

export interface MailboxState {
  uidValidity: number | null;
  lastUid: number;
}

export interface CommitResult {
  /** what became of each committed UID */
  dispositions: Map<number, MailDisposition>;
  /** work to start after the commit (enqueue outbound mail, SLA timers) */
  afterCommit?: () => Promise<void>;
}

export interface MailboxPollerDeps {
  endpoint: ImapEndpoint;
  logger: Logger;
  batchSize?: number;
  /** at most this many bytes of mail in one batch (at least one mail). @defaultValue 32 MiB */
  batchBytes?: number;
  safetyPollMs?: number;
  /** when to reconnect and when to give up (run() then rejects with `intake.unrecoverable`) */
  reconnectPolicy?: Partial<ReconnectPolicy>;
  /** milliseconds since the epoch; tests move it. @defaultValue Date.now */
  now?: () => number;
  /** reads the committed state; resets it when UIDVALIDITY changed */
  loadState(uidValidity: number): Promise<MailboxState>;
  /**
   * Called as soon as a batch is fetched, before it is committed (the next batch is fetched while
   * the current one commits): lets the caller start CPU work on it, such as parsing, so that work
   * overlaps the current batch's database work.
   */
  prepare?(mails: readonly FetchedMail[]): void;
  /** commits a batch (ticket rows + raw + new lastUid) in one transaction */
  commitBatch(uidValidity: number, mails: FetchedMail[]): Promise<CommitResult>;
  /** disposition of already committed UIDs whose move did not happen (crash between commit and move) */
  dispositionOfCommitted(uidValidity: number, uids: number[]): Promise<Map<number, MailDisposition>>;
  /**
   * Throws (`intake.lock_lost`) when this process no longer owns the mailbox. Called before every
   * search and every MOVE: two readers moving the same UIDs make two copies of a mail. The poller
   * then stops at once and run() rejects with that error (no reconnect: the owner decides).
   */
  assertOwnership?(): Promise<void>;
  /** each failure the poller recovers from by reconnecting (health reports its cause) */
  onPollFailed?(err: unknown): void;
}

export interface MailboxPoller {
  /** resolves when stopped */
  run(): Promise<void>;
  stop(): Promise<void>;
  /** one pass without IDLE (tests, benchmarks) */
  drainOnce(): Promise<number>;
}

function groupByFolder(dispositions: Map<number, MailDisposition>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [uid, disposition] of dispositions) {
    const folder = FOLDER_OF[disposition];
    const list = out.get(folder) ?? [];
    list.push(uid);
    out.set(folder, list);
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Batches fetched and handed to `prepare` ahead of the one being committed. */
const PREFETCH_BATCHES = 2;

export function createMailboxPoller(deps: MailboxPollerDeps): MailboxPoller {
  // Larger batches amortise the per-transaction and per-IMAP-command costs (bench/ingest.ts:
  // 250 with two batches fetched ahead measured best on 2 cores; 100 gave ratio ~0.47).
  const batchSize = deps.batchSize ?? 250;
  const batchBytes = deps.batchBytes ?? 32 * 1024 * 1024;
  const safetyPollMs = deps.safetyPollMs ?? 30_000;
  const log = deps.logger.child({ mailbox: deps.endpoint.user });
  const policy: ReconnectPolicy = { ...DEFAULT_RECONNECT_POLICY, ...deps.reconnectPolicy };
  const now = deps.now ?? Date.now;
  let stopping = false;
  let client: ImapFlow | null = null;
  let wake: (() => void) | null = null;
  /**
   * New mail was announced while nobody waited (during a drain, after its last search): the next
   * wait returns at once instead of idling until the safety poll (measured: a mail waited 30 s).
   */
  let mailAnnounced = false;
  let running: Promise<void> | null = null;

  async function moveAll(c: ImapFlow, dispositions: Map<number, MailDisposition>): Promise<void> {
    for (const [folder, uids] of groupByFolder(dispositions)) {
      if (uids.length === 0) continue;
      for (let attempt = 1; ; attempt++) {
        // false (or undefined: no mailbox selected) when the server refused the MOVE.
        const moved = await c.messageMove(uids.join(','), folder, { uid: true });
        if (moved) break;
        if (attempt >= MOVE_ATTEMPTS || !c.usable) {
          // Committed mails stay in INBOX; after the reconnect they are moved as leftovers.
          throw new HelpdeskError('imap.move_failed', `moving ${uids.length} mail(s) to ${folder} failed ${attempt} times`, {
            details: [`UIDs ${uids.slice(0, 20).join(',')}${uids.length > 20 ? ',…' : ''}`],
          });
        }
        log.warn({ folder, count: uids.length, attempt }, 'IMAP move refused; retrying');
        await sleep(250 * attempt);
      }
    }
  }

  /** Fetches and commits everything above lastUid; returns how many mails were committed. */
  async function drain(c: ImapFlow): Promise<number> {
    const mailbox = c.mailbox;
    if (!mailbox) throw new Error('no mailbox selected');
    const uidValidity = Number(mailbox.uidValidity);
    // this drain's searches cover whatever was announced before it
    mailAnnounced = false;
    const owned = async () => deps.assertOwnership?.();
    await owned();
    let state = await deps.loadState(uidValidity);
    let committed = 0;

    // Mails committed before a crash but not yet moved: move them now, never re-ingest.
    if (mailbox.exists > 0 && state.lastUid > 0) {
      const leftovers = ((await c.search({ uid: `1:${state.lastUid}` }, { uid: true })) || []).filter((u) => u <= state.lastUid);
      if (leftovers.length > 0) {
        log.info({ count: leftovers.length }, 'moving mails committed before a restart');
        const dispositions = await deps.dispositionOfCommitted(uidValidity, leftovers);
        await owned();
        await moveAll(c, dispositions);
      }
    }

    const fetchMails = async (slice: number[]): Promise<FetchedMail[]> => {
      const messages = await c.fetchAll(slice.join(','), { uid: true, source: true, internalDate: true }, { uid: true });
      const mails: FetchedMail[] = messages
        .filter((m) => m.source !== undefined)
        .map((m) => ({
          uid: m.uid,
          internalDate: m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? now()),
          raw: m.source as Buffer,
        }))
        .sort((a, b) => a.uid - b.uid);
      deps.prepare?.(mails);
      return mails;
    };
    // UIDs the last search found that are not fetched yet (with their sizes), and the batches
    // fetched ahead while the current one commits (null: search again). IMAP commands still run
    // one after another on the connection: a batch's MOVE is queued behind the prefetches issued
    // before it, and no command is issued inside a fetch.
    let pending: number[] = [];
    let sizes = new Map<number, number>();
    /**
     * The next batch: up to `batchSize` mails and at most `batchBytes` of them (at least one), so
     * the batches held in memory (the one committing and those fetched ahead) stay bounded even
     * in a mailbox of large mails.
     */
    const nextSlice = (): number[] => {
      let bytes = 0;
      let count = 0;
      while (count < pending.length && count < batchSize) {
        bytes += sizes.get(pending[count]!) ?? 0;
        if (count > 0 && bytes > batchBytes) break;
        count++;
      }
      return pending.splice(0, count);
    };
    const sizesOf = async (uids: number[]): Promise<Map<number, number>> => {
      // one range, not a list: the search returned every UID from the first to the last
      const found = await c.fetchAll(`${uids[0]}:${uids.at(-1)}`, { uid: true, size: true }, { uid: true });
      return new Map(found.map((m) => [m.uid, m.size ?? 0]));
    };
    const ahead: Promise<FetchedMail[] | null>[] = [];
    let moving: Promise<void> = Promise.resolve();

    while (!stopping) {
      let mails = ahead.length > 0 ? await ahead.shift()! : null;
      if (mails === null) {
        await Promise.all(ahead.splice(0));
        if ((c.mailbox && c.mailbox.exists === 0) || !c.mailbox) break;
        await owned();
        const found = (await c.search({ uid: `${state.lastUid + 1}:*` }, { uid: true })) || [];
        pending = found.filter((u) => u > state.lastUid).sort((a, b) => a - b);
        if (pending.length === 0) break;
        sizes = await sizesOf(pending);
        mails = await fetchMails(nextSlice());
        if (mails.length === 0) break;
      }
      // Keep PREFETCH_BATCHES batches fetched (and handed to `prepare`) ahead of the one that
      // commits, so parsing always has work while the main thread and Postgres commit.
      while (ahead.length < PREFETCH_BATCHES && pending.length > 0) {
        ahead.push(
          fetchMails(nextSlice()).then(
            (batch) => (batch.length > 0 ? batch : null),
            (err: Error) => {
              // Not fatal here: the next round searches and fetches again, and fails loudly if IMAP is gone.
              log.warn({ err: err.message }, 'prefetching the next batch failed');
              pending = [];
              return null;
            },
          ),
        );
      }
      const result = await deps.commitBatch(uidValidity, mails);
      committed += mails.length;
      state = { uidValidity, lastUid: Math.max(state.lastUid, ...mails.map((m) => m.uid)) };
      if (result.afterCommit) await result.afterCommit();
      // The previous batch's MOVE ran while this batch committed. This batch's MOVE runs while the
      // next one commits: it is queued behind the prefetches on the IMAP connection, and a crash
      // before it happens only leaves committed mails in INBOX, moved at the next start.
      await moving;
      const fetched = [...ahead];
      moving = Promise.all(fetched)
        .then(owned)
        .then(() => moveAll(c, result.dispositions));
      // never unhandled: the next round (or the end of the drain) awaits it and throws
      moving.catch((err: Error) => log.debug({ err: err.message }, 'moving a committed batch failed'));
    }
    await Promise.all(ahead);
    await moving;
    return committed;
  }

  async function connect(): Promise<ImapFlow> {
    const c = createImapClient(deps.endpoint);
    c.on('error', (err: Error) => log.warn({ err: err.message }, 'imap connection error'));
    await c.connect();
    await ensureFolder(c, PROCESSED_FOLDER);
    await ensureFolder(c, QUARANTINE_FOLDER);
    await c.mailboxOpen(deps.endpoint.mailbox);
    c.on('exists', () => {
      if (wake) wake();
      else mailAnnounced = true;
    });
    return c;
  }

  function waitForMail(ms: number, c: ImapFlow): Promise<void> {
    if (mailAnnounced) {
      mailAnnounced = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        c.off('close', done);
        wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      c.once('close', done);
      wake = done;
      // IDLE now rather than after imapflow's 15 s auto-IDLE delay; the next command ends it.
      c.idle().catch((err: Error) => log.debug({ err: err.message }, 'idle ended with an error'));
    });
  }

  /** Waits `ms`, or less when stop() is called. */
  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });
  }

  async function loop(): Promise<void> {
    // Instants of the failures since the last complete drain.
    let failures: number[] = [];
    while (!stopping) {
      let failure: unknown = null;
      try {
        client = await connect();
        log.info('watching mailbox');
        while (!stopping && client.usable) {
          await drain(client);
          // Recovered only now: a login followed by a failing drain is still failing.
          failures = [];
          if (stopping) break;
          // IDLE until the server reports new mail (`exists`), or the safety poll comes round.
          await waitForMail(safetyPollMs, client);
        }
        if (!stopping) failure = new HelpdeskError('imap.unavailable', 'IMAP connection closed');
      } catch (err) {
        failure = err;
        // Not a connection fault: the owner stands by or takes the mailbox again.
        if (isHelpdeskError(err, 'intake.lock_lost')) stopping = true;
      } finally {
        const c = client;
        client = null;
        if (c) await c.logout().catch(() => c.close());
      }
      if (isHelpdeskError(failure, 'intake.lock_lost')) throw failure;
      if (stopping || failure === null) break;
      const step = afterFailure(policy, failures, now());
      failures = step.failures;
      const reason = errorMessage(failure);
      if (step.decision.giveUp) {
        log.error({ err: reason, failures: step.decision.failures }, 'mailbox poll keeps failing; giving up');
        throw new HelpdeskError('intake.unrecoverable', `mailbox ${deps.endpoint.user}: ${step.decision.failures} failures in a row, the last: ${reason}`, {
          cause: failure,
        });
      }
      deps.onPollFailed?.(failure);
      log.error({ err: reason, failures: step.decision.failures, retryInMs: step.decision.delayMs }, 'mailbox poll failed; reconnecting');
      await pause(step.decision.delayMs);
    }
  }

  return {
    run() {
      running ??= loop();
      return running;
    },
    async stop() {
      stopping = true;
      wake?.();
      // A loop that gave up has already rejected run() for its caller; stopping it is done.
      if (running) await Promise.allSettled([running]);
    },
    async drainOnce() {
      const c = await connect();
      try {
        return await drain(c);
      } finally {
        await c.logout().catch(() => c.close());
      }
    },
  };
}
