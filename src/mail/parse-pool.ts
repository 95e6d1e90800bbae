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
import { parseInboundMail, type ParseOutcome } from './inbound-parse.ts';

export interface ParsePool {
  parse(raw: Buffer): Promise<ParseOutcome>;
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

export function createParsePool(options: ParsePoolOptions): ParsePool {
  const threads = options.threads ?? Math.max(1, availableParallelism());
  if (threads === 0) {
    return { size: 0, parse: (raw) => parseInboundMail(raw, { maxBytes: options.maxBytes }), close: async () => {} };
  }
  const entry = (options.workerEntry ?? new URL('./parse.worker.ts', import.meta.url)).href;
  const pool = new Piscina<{ raw: Uint8Array }, ParseOutcome>({
    filename: fileURLToPath(new URL('./parse-worker-boot.mjs', import.meta.url)),
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

  return {
    size: threads,
    async parse(raw: Buffer): Promise<ParseOutcome> {
      if (closed) throw new ParsePoolUnavailableError('parse pool is closed');
      // Copy into a transferable ArrayBuffer: the source Buffer may be a slice of a shared pool.
      const copy = new Uint8Array(raw.length);
      copy.set(raw);
      try {
        return await pool.run({ raw: copy }, { transferList: [copy.buffer] });
      } catch (err) {
        throw new ParsePoolUnavailableError(`parse pool failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
    },
    async close() {
      closed = true;
      await pool.close();
    },
  };
}
