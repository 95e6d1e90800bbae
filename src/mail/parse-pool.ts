// Worker threads running parseInboundMail, so parsing (the CPU-heavy part of intake) uses every
// core while the main thread does IMAP and Postgres I/O. piscina runs the threads and replaces
// one that dies. Contract: parse() resolves with a ParseOutcome for every problem of the mail
// itself (malformed → ok: false) and rejects only with ParsePoolUnavailableError (a crashed
// thread, a closed pool), which callers treat as "retry later", never as a bad mail.
// Trap: Node 20 workers do not inherit tsx's loader, so each thread boots through
// parse-worker-boot.mjs, which registers tsx before importing the TypeScript worker.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ParsePoolUnavailableError } from '../shared/errors.ts';
import { createLogger, type Logger } from '../shared/logger.ts';
import { RUNS_COMPILED } from '../shared/project-root.ts';
import { parseInboundMail, type ParseOutcome } from './inbound-parse.ts';

export interface ParsePool {
  parse(raw: Buffer): Promise<ParseOutcome>;
  /**
   * Many mails, several to a task: each hand-over between the main thread and a worker costs
   * main-thread time, and a worker waits for the next one while the main thread is busy (in
   * bench/ingest.ts that idled the machine ~20 % of the pipeline's time with one mail a task).
   */
  parseMany(raws: readonly Buffer[]): Promise<ParseOutcome[]>;
  close(): Promise<void>;
  readonly size: number;
}

export interface ParsePoolOptions {
  /** worker threads; 0 parses on the calling thread. @defaultValue the number of cores */
  threads?: number;
  maxBytes: number;
  /** module the threads run (default export: task handler); tests swap in one that crashes */
  workerEntry?: URL;
  /** where a thread that dies between tasks is reported. @defaultValue a logger at level warn */
  logger?: Logger;
}

/** Mails handed to a worker at once by parseMany. */
const MAILS_PER_TASK = 8;

export function createParsePool(options: ParsePoolOptions): ParsePool {
  const threads = options.threads ?? Math.max(1, availableParallelism());
  if (threads === 0) {
    const parse = (raw: Buffer) => parseInboundMail(raw, { maxBytes: options.maxBytes });
    return { size: 0, parse, parseMany: (raws) => Promise.all(raws.map(parse)), close: async () => {} };
  }
  // Compiled, the worker is plain JavaScript that a thread loads directly; from the sources, each
  // thread boots through parse-worker-boot.mjs, which registers tsx first.
  const entry = (options.workerEntry ?? new URL(RUNS_COMPILED ? './parse.worker.js' : './parse.worker.ts', import.meta.url)).href;
  const pool = new Piscina<{ raws: Uint8Array[] }, ParseOutcome[]>({
    filename: RUNS_COMPILED && !options.workerEntry ? fileURLToPath(entry) : fileURLToPath(new URL('./parse-worker-boot.mjs', import.meta.url)),
    workerData: { entry, maxBytes: options.maxBytes },
    minThreads: threads,
    maxThreads: threads,
    // Threads stay up: booting one (tsx + mailparser) costs far more than an idle thread.
    idleTimeout: Number.POSITIVE_INFINITY,
  });
  let closed = false;
  // piscina emits 'error' for a thread that dies with no task to fail (with a task, that
  // task's run() rejects instead). It replaces the thread either way.
  const logger = options.logger ?? createLogger('warn', 'parse-pool');
  pool.on('error', (err: Error) => logger.warn({ err: err.message }, 'a parse worker thread died; piscina replaces it'));

  async function runTask(raws: readonly Buffer[]): Promise<ParseOutcome[]> {
    if (closed) throw new ParsePoolUnavailableError('parse pool is closed');
    // Copies into transferable buffers: a fetched Buffer may be a slice of a shared pool.
    const copies = raws.map((raw) => {
      const copy = new Uint8Array(raw.length);
      copy.set(raw);
      return copy;
    });
    try {
      return await pool.run({ raws: copies }, { transferList: copies.map((c) => c.buffer) });
    } catch (err) {
      throw new ParsePoolUnavailableError(`parse pool failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  return {
    size: threads,
    async parse(raw: Buffer): Promise<ParseOutcome> {
      return (await runTask([raw]))[0]!;
    },
    async parseMany(raws) {
      const tasks: Promise<ParseOutcome[]>[] = [];
      for (let i = 0; i < raws.length; i += MAILS_PER_TASK) tasks.push(runTask(raws.slice(i, i + MAILS_PER_TASK)));
      return (await Promise.all(tasks)).flat();
    },
    async close() {
      closed = true;
      await pool.close();
    },
  };
}
