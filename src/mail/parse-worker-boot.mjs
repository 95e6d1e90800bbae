// Entry file of every parse worker thread (piscina loads it). Node 20 workers do not inherit
// tsx's loader, so this plain .mjs registers tsx and then loads the TypeScript module named in
// workerData.entry, whose default export is the task handler.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
// Started now (not on the first task) so the thread is warm when the first mail arrives.
const handler = import(workerData.entry).then((module) => module.default);

export default async function runParseTask(task) {
  return (await handler)(task);
}
