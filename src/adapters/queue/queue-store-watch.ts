// Redis is a cache of Postgres: every job can be rebuilt from the rows. This watch notices when
// the cache was lost (a FLUSHALL, a Redis replaced by an empty one, a restart without
// persistence) and when the connection came back after an outage, so the caller rebuilds within
// seconds instead of waiting for the periodic reconcile. A marker key with this process's id is
// set when absent; it is gone exactly when the store was emptied.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export type QueueStoreEvent = 'emptied' | 'reconnected';

export interface QueueStoreWatch {
  stop(): void;
}

export function watchQueueStore(deps: {
  connection: Redis;
  prefix: string;
  /** how often the marker is checked (ms). @defaultValue 2000 */
  everyMs?: number;
  onEvent(event: QueueStoreEvent): void;
  onError(err: Error): void;
}): QueueStoreWatch {
  const { connection } = deps;
  const markerKey = `${deps.prefix}:helpdesk:store-marker`;
  const marker = randomUUID();
  let checking = false;
  /** the first check only plants the marker: an empty store at start is the start-up reconcile's */
  let started = false;

  async function check(): Promise<void> {
    // A command sent while disconnected would wait in ioredis' offline queue: skip the round.
    if (checking || connection.status !== 'ready') return;
    checking = true;
    try {
      // NX: the first process to see the store empty marks it; every process compares the
      // marker's presence, not its value, so two processes do not take each other's for a wipe.
      const created = await connection.set(markerKey, marker, 'NX');
      if (created === 'OK' && started) deps.onEvent('emptied');
      started = true;
    } catch (err) {
      deps.onError(err instanceof Error ? err : new Error(String(err)));
    } finally {
      checking = false;
    }
  }

  let readyBefore = connection.status === 'ready';
  const onReady = () => {
    if (readyBefore) deps.onEvent('reconnected');
    readyBefore = true;
    void check();
  };
  connection.on('ready', onReady);
  void check();
  const timer = setInterval(() => void check(), deps.everyMs ?? 2_000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      connection.off('ready', onReady);
    },
  };
}
