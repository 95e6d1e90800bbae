// A parse worker for tests: a mail whose bytes are exactly CRASH-THREAD ends its worker thread
// (as a native crash or an out-of-memory kill would); every other mail is parsed for real.
import realParseTask from '../../src/mail/parse.worker.ts';

export const CRASH_THREAD = 'CRASH-THREAD';

export default async function parseOrCrash(task: { raws: Uint8Array[] }) {
  if (task.raws.some((raw) => Buffer.from(raw).toString('latin1') === CRASH_THREAD)) process.exit(70);
  return realParseTask(task);
}
