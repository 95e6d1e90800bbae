// A small pool of worker threads running parseInboundMail, so parsing (the CPU-heavy part of
// intake) uses every core while the main thread does IMAP and Postgres I/O.
// Trap: Node 20 workers do not inherit tsx's loader, so each worker boots through
// parse-worker-boot.mjs, which registers tsx before importing the TypeScript worker.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseInboundMail, type ParseOutcome } from './inbound-parse.ts';

export interface ParsePool {
  parse(raw: Buffer): Promise<ParseOutcome>;
  close(): Promise<void>;
  readonly size: number;
}

interface Pending {
  resolve(outcome: ParseOutcome): void;
  reject(err: Error): void;
}

export function createParsePool(options: { threads?: number; maxBytes: number }): ParsePool {
  const threads = options.threads ?? Math.max(1, availableParallelism());
  if (threads === 0) {
    return { size: 0, parse: (raw) => parseInboundMail(raw, { maxBytes: options.maxBytes }), close: async () => {} };
  }
  const bootUrl = new URL('./parse-worker-boot.mjs', import.meta.url);
  const entry = new URL('./parse.worker.ts', import.meta.url).href;
  const workers: { worker: Worker; inFlight: number }[] = [];
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;

  for (let i = 0; i < threads; i++) {
    const worker = new Worker(bootUrl, { workerData: { entry, maxBytes: options.maxBytes } });
    const slot = { worker, inFlight: 0 };
    worker.on('message', (msg: { id: number; outcome?: ParseOutcome; error?: string }) => {
      const job = pending.get(msg.id);
      if (!job) return;
      pending.delete(msg.id);
      slot.inFlight--;
      if (msg.outcome) job.resolve(msg.outcome);
      else job.reject(new Error(msg.error ?? 'parse worker failed'));
    });
    worker.on('error', (err) => {
      // A crashed worker fails what it held; intake retries those mails on the next poll.
      for (const [id, job] of pending) {
        job.reject(err);
        pending.delete(id);
      }
    });
    worker.unref();
    workers.push(slot);
  }

  return {
    size: threads,
    parse(raw: Buffer): Promise<ParseOutcome> {
      if (closed) return Promise.reject(new Error('parse pool is closed'));
      const slot = workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      const id = nextId++;
      slot.inFlight++;
      return new Promise<ParseOutcome>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        // Copy into a transferable ArrayBuffer: the source Buffer may be a slice of a pool.
        const copy = new Uint8Array(raw.length);
        copy.set(raw);
        slot.worker.postMessage({ id, raw: copy }, [copy.buffer]);
      });
    },
    async close() {
      closed = true;
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}
