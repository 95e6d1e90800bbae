// Worker-thread side of parse-pool.ts.
import { parentPort, workerData } from 'node:worker_threads';
import { parseInboundMail } from './inbound-parse.ts';

const { maxBytes } = workerData as { maxBytes: number };

parentPort?.on('message', (msg: { id: number; raw: Uint8Array }) => {
  const raw = Buffer.from(msg.raw.buffer, msg.raw.byteOffset, msg.raw.byteLength);
  parseInboundMail(raw, { maxBytes }).then(
    (outcome) => parentPort?.postMessage({ id: msg.id, outcome }),
    (err: unknown) => parentPort?.postMessage({ id: msg.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
