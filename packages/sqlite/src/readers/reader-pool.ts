import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { RapportError } from '@rapport/core';
import Database from 'better-sqlite3';
import {
  type ReaderRequest,
  type ReaderResponse,
  type ReaderWorkerData,
  readerWorkerSource,
} from './reader-worker-source.js';

/** @internal Options of a {@link ReaderPool}. */
export interface ReaderPoolOptions {
  /** The database file, in WAL mode. */
  readonly filename: string;
  /** How many worker threads (each with its own read-only connection). */
  readonly size: number;
  /** The busy timeout of each reader connection, in milliseconds. */
  readonly busyTimeoutMs: number;
}

interface Job extends ReaderRequest {
  readonly queuedAt: number;
  readonly resolve: (rows: unknown[]) => void;
  readonly reject: (error: unknown) => void;
}

interface Reader {
  readonly worker: Worker;
  job: Job | undefined;
}

/** How many SQL texts the pool remembers a run time for. */
const estimateCapacity = 2_000;

/**
 * Statements that last ran longer than this (ms) are long: they may not take the last free
 * reader, which stays for the short ones (a list's query, a record's lookup). A statement that
 * has not run yet counts as short, once: a new list query must not wait behind aggregates.
 */
const shortMs = 10;

function closedError(): RapportError {
  return new RapportError(
    'DESTROYED',
    'the engine was closed with crm.destroy() while this read waited; make a new one with createCrm to go on',
  );
}

/**
 * @internal Worker threads that each hold a read-only connection to the same SQLite file and run
 * SELECTs off the event loop. WAL lets them read while the one writer writes; each statement sees
 * the last committed state when it starts.
 *
 * Statements wait in one queue, and a free worker takes the one expected to finish soonest: the
 * pool remembers how long each SQL text ran (a moving average), and a statement's claim grows
 * with the time it has waited (its expected run time minus its wait). A 2 ms list query issued
 * while dashboards queued many 200 ms aggregates runs next, and an aggregate is never passed
 * over for longer than about its own run time. With two readers or more, long statements run on
 * all readers but one, so a short one never waits for a long one to finish. Workers start on
 * the first read and do not keep the process alive while they are idle.
 */
export class ReaderPool {
  readonly #options: ReaderPoolOptions;
  readonly #workerData: ReaderWorkerData;
  readonly #readers: Reader[] = [];
  readonly #queue: Job[] = [];
  readonly #estimates = new Map<string, number>();
  #nextId = 0;
  #closed = false;

  constructor(options: ReaderPoolOptions) {
    this.#options = options;
    this.#workerData = {
      driverPath: createRequire(import.meta.url).resolve('better-sqlite3'),
      filename: options.filename,
      busyTimeoutMs: options.busyTimeoutMs,
    };
  }

  /** Runs a read-only statement on a reader and resolves with its rows. */
  run(sql: string, parameters: readonly unknown[]): Promise<unknown[]> {
    if (this.#closed) return Promise.reject(closedError());
    return new Promise((resolve, reject) => {
      this.#queue.push({
        id: this.#nextId++,
        sql,
        parameters,
        queuedAt: performance.now(),
        resolve,
        reject,
      });
      this.#dispatch();
    });
  }

  /**
   * Refuses new reads, fails the queued ones with DESTROYED, lets each worker finish the statement
   * it runs, closes its connection and waits for it to exit.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(closedError());
    await Promise.all(
      this.#readers.map(
        ({ worker }) =>
          new Promise<void>((resolve) => {
            worker.once('exit', () => resolve());
            // Awaited by destroy(), so it keeps the process alive until it has exited.
            worker.ref();
            worker.postMessage('close');
          }),
      ),
    );
    this.#readers.length = 0;
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const idle = this.#readers.find((candidate) => candidate.job === undefined);
      if (!idle && this.#readers.length >= this.#options.size) return;
      const job = this.#takeNext();
      // Every reader is busy with long statements but one, kept for short ones: wait for one.
      if (!job) return;
      const reader = idle ?? this.#startReader();
      reader.job = job;
      reader.worker.ref();
      const request: ReaderRequest = { id: job.id, sql: job.sql, parameters: job.parameters };
      reader.worker.postMessage(request);
    }
  }

  /** Whether a statement is expected to run long; one that has not run yet is taken as short. */
  #long(sql: string): boolean {
    return (this.#estimates.get(sql) ?? 0) > shortMs;
  }

  /**
   * The queued statement with the smallest expected run time less its wait; a long one only
   * while another reader stays free for short ones (with one reader, long ones always run).
   */
  #takeNext(): Job | undefined {
    const now = performance.now();
    const longRunning = this.#readers.filter(({ job }) => job && this.#long(job.sql)).length;
    const longAllowed = longRunning < Math.max(1, this.#options.size - 1);
    let best = -1;
    let bestClaim = Number.POSITIVE_INFINITY;
    this.#queue.forEach((job, index) => {
      if (!longAllowed && this.#long(job.sql)) return;
      const claim = (this.#estimates.get(job.sql) ?? 0) - (now - job.queuedAt);
      if (best === -1 || claim < bestClaim) {
        bestClaim = claim;
        best = index;
      }
    });
    if (best === -1) return undefined;
    return this.#queue.splice(best, 1)[0];
  }

  #startReader(): Reader {
    const worker = new Worker(readerWorkerSource, { eval: true, workerData: this.#workerData });
    // An idle reader must not keep the process alive; one with a job is ref'd until it answers.
    worker.unref();
    const reader: Reader = { worker, job: undefined };
    worker.on('message', (response: ReaderResponse) => this.#answer(reader, response));
    worker.on('error', (error) => this.#fail(reader, error));
    worker.on('exit', () => this.#fail(reader, new Error('a SQLite reader thread exited')));
    this.#readers.push(reader);
    return reader;
  }

  #answer(reader: Reader, response: ReaderResponse): void {
    const job = reader.job;
    if (!job || job.id !== response.id) return;
    reader.job = undefined;
    reader.worker.unref();
    this.#remember(job.sql, response.ms);
    if ('error' in response) {
      // The same error class and code the writer's connection throws, so the storage's error
      // classification (unique, lock, missing table) works unchanged.
      const { message, code } = response.error;
      job.reject(code === undefined ? new Error(message) : new Database.SqliteError(message, code));
    } else {
      job.resolve(response.rows);
    }
    this.#dispatch();
  }

  /** A worker that failed to start or crashed: its job fails, and a later read starts another. */
  #fail(reader: Reader, error: unknown): void {
    const index = this.#readers.indexOf(reader);
    if (index === -1) return;
    this.#readers.splice(index, 1);
    const job = reader.job;
    reader.job = undefined;
    job?.reject(error);
    if (!this.#closed) {
      reader.worker.terminate().catch(() => undefined);
      this.#dispatch();
    }
  }

  #remember(sql: string, ms: number): void {
    const before = this.#estimates.get(sql);
    if (before === undefined && this.#estimates.size >= estimateCapacity) this.#estimates.clear();
    // A moving average: one slow run (a cold cache) does not mark a statement slow for good.
    this.#estimates.set(sql, before === undefined ? ms : before * 0.7 + ms * 0.3);
  }
}
