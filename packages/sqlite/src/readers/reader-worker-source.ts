/**
 * @internal What a reader worker is given when it starts (its `workerData`).
 */
export interface ReaderWorkerData {
  /** The resolved path of better-sqlite3, so the worker loads the same copy as the writer. */
  readonly driverPath: string;
  /** The database file (the writer's, in WAL mode). */
  readonly filename: string;
  /** The same busy timeout as the writer's connection. */
  readonly busyTimeoutMs: number;
}

/** @internal A statement sent to a reader: its SQL text and bound parameters. */
export interface ReaderRequest {
  readonly id: number;
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/** @internal A reader's answer: rows and how long the statement ran, or the driver's error. */
export type ReaderResponse =
  | { readonly id: number; readonly rows: unknown[]; readonly ms: number }
  | {
      readonly id: number;
      readonly error: { readonly message: string; readonly code: string | undefined };
      readonly ms: number;
    };

/**
 * @internal The reader worker's code, plain CommonJS run with `eval: true`. A string, not a
 * module of this package: tests run the TypeScript sources (which a worker cannot load without a
 * loader), and the built package ships one file per format; a string works the same in all
 * three. It opens the file read-only, keeps a bounded cache of prepared statements (preparing
 * costs more than running most small queries) and answers one statement at a time.
 */
export const readerWorkerSource = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const database = new Database(workerData.filename, { readonly: true, fileMustExist: true });
database.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
const cache = new Map();
function prepare(text) {
  let statement = cache.get(text);
  if (statement) {
    cache.delete(text);
  } else {
    statement = database.prepare(text);
    if (cache.size >= 500) cache.delete(cache.keys().next().value);
  }
  cache.set(text, statement);
  return statement;
}
parentPort.on('message', (request) => {
  if (request === 'close') {
    database.close();
    parentPort.close();
    return;
  }
  const started = performance.now();
  try {
    const rows = prepare(request.sql).all(request.parameters);
    parentPort.postMessage({ id: request.id, rows, ms: performance.now() - started });
  } catch (error) {
    parentPort.postMessage({
      id: request.id,
      error: {
        message: String(error && error.message),
        code: typeof (error && error.code) === 'string' ? error.code : undefined,
      },
      ms: performance.now() - started,
    });
  }
});
`;
