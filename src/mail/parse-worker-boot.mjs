// Boots a worker thread with tsx's loader (Node 20 workers do not inherit it), then runs the
// TypeScript entry named in workerData.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
