// Worker-thread side of parse-pool.ts: one task is a few mails, parsed one after the other. Every
// problem of a mail itself comes back as a ParseOutcome with ok: false, so a rejected task always means a pool fault.
import { workerData } from 'node:worker_threads';
import { parseInboundMail, sha256Hex, type ParseOutcome } from './inbound-parse.ts';

export default async function parseTask(task: { raws: Uint8Array[] }): Promise<ParseOutcome[]> {
  const outcomes: ParseOutcome[] = [];
  for (const bytes of task.raws) outcomes.push(await parseOne(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
  return outcomes;
}

async function parseOne(raw: Buffer): Promise<ParseOutcome> {
  const { maxBytes } = workerData as { maxBytes: number };
  try {
    return await parseInboundMail(raw, { maxBytes });
  } catch (err) {
    // parseInboundMail reports what it expects; anything it throws is still caused by this
    // mail's bytes (the same bytes would throw again), so it is a mail problem, not a pool one.
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, sha256: sha256Hex(raw), size: raw.length, reasonCode: 'mail.unparseable', reason: `parsing threw: ${reason}`.slice(0, 2000) };
  }
}
