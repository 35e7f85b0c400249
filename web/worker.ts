/// <reference lib="webworker" />
/**
 * The engine worker: runs every engine call (ingest, fit, forecast, backtest) off the page's
 * thread. This file only passes messages; the jobs, the loaded data and the caches are in
 * web/engineHost.ts, a plain module the tests also run in Node.
 */
import { handle } from './engineHost.ts';
import type { Request, Response } from './protocol.ts';

declare const self: DedicatedWorkerGlobalScope;

self.addEventListener('message', (event: MessageEvent<Request>) => {
  void handle(event.data, (message: Response) => self.postMessage(message));
});
