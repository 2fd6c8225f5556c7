import { Worker } from 'node:worker_threads';

// better-sqlite3 and most of a KPI evaluation block the main thread, so a timer there would not
// fire during the work it should observe: the sampler runs in a worker thread, which reads the
// RSS of the whole process, and keeps the peak in shared memory.
const workerSource = `
const { workerData } = require('node:worker_threads');
const shared = new Float64Array(workerData.buffer);
setInterval(() => {
  const rss = process.memoryUsage.rss();
  if (rss > shared[0]) shared[0] = rss;
}, workerData.intervalMs);
`;

/**
 * Samples the process RSS every few milliseconds from a worker thread.
 *
 * @example
 * const sampler = await RssSampler.start();
 * const mark = sampler.mark();
 * await work();
 * const { restMb, peakAboveRestMb } = sampler.read(mark);
 */
export class RssSampler {
  private readonly shared: Float64Array;

  private constructor(
    private readonly worker: Worker,
    buffer: SharedArrayBuffer,
  ) {
    this.shared = new Float64Array(buffer);
  }

  /** Starts the sampling worker (and waits until it runs). */
  static async start(intervalMs = 2): Promise<RssSampler> {
    const buffer = new SharedArrayBuffer(8);
    const worker = new Worker(workerSource, { eval: true, workerData: { buffer, intervalMs } });
    await new Promise<void>((resolve, reject) => {
      worker.once('online', () => resolve());
      worker.once('error', reject);
    });
    worker.unref();
    return new RssSampler(worker, buffer);
  }

  /** The RSS at rest now, and resets the peak to it. */
  mark(): number {
    const rest = process.memoryUsage.rss();
    this.shared[0] = rest;
    return rest;
  }

  /** The peak since `mark`, in MB, and above the RSS at rest. */
  read(rest: number): { restMb: number; peakMb: number; peakAboveRestMb: number } {
    const peak = Math.max(this.shared[0]!, process.memoryUsage.rss());
    return {
      restMb: rest / 2 ** 20,
      peakMb: peak / 2 ** 20,
      peakAboveRestMb: (peak - rest) / 2 ** 20,
    };
  }

  /** Stops the worker. */
  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
