import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ChildTask, ColdResult } from './child-runs.js';

function startChild(task: ChildTask): ChildProcess {
  return spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'bench/child-runs.ts', JSON.stringify(task)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
}

/**
 * Evicts a database file (and its WAL and shared-memory files) from the OS page cache with
 * `posix_fadvise(DONTNEED)` (GNU dd's nocache flag): a cold read without dropping every cache
 * of a shared machine.
 */
export function evictFromPageCache(file: string): boolean {
  let evicted = true;
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(path)) continue;
    try {
      execFileSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
    } catch {
      evicted = false;
    }
  }
  return evicted;
}

/** A cold run: fresh process and connection, file evicted from the page cache first. */
export async function coldRun(task: ChildTask): Promise<ColdResult> {
  evictFromPageCache(task.file);
  const child = startChild(task);
  let result: ColdResult | undefined;
  for await (const line of createInterface({ input: child.stdout! })) {
    if (line.startsWith('RESULT ')) result = JSON.parse(line.slice(7)) as ColdResult;
  }
  if (!result) throw new Error(`cold run ${task.kind} gave no result`);
  return result;
}

/** Per KPI: milliseconds alone, or why it was left out. */
export type ProbeOutcome = { readonly ms: number } | { readonly excluded: string };

/**
 * Evaluates each KPI alone in a child process, stopping (and leaving out) any KPI that takes more
 * than `budgetMs`: a KPI whose query does not scale must not hold the whole benchmark.
 */
export async function probeKpis(
  file: string,
  period: string,
  ids: readonly string[],
  budgetMs: number,
  log: (line: string) => void,
): Promise<Map<string, ProbeOutcome>> {
  const outcomes = new Map<string, ProbeOutcome>();
  let remaining = [...ids];
  while (remaining.length > 0) {
    const child = startChild({ kind: 'probe', file, period, ids: remaining });
    let current: { id: string; since: number } | undefined;
    let killed: string | undefined;
    const watchdog = setInterval(() => {
      if (current && performance.now() - current.since > budgetMs) {
        killed = current.id;
        child.kill('SIGKILL');
      }
    }, 200);
    for await (const line of createInterface({ input: child.stdout! })) {
      const [kind, id, ms] = line.split(' ');
      if (kind === 'START' && id) current = { id, since: performance.now() };
      if (kind === 'DONE' && id) {
        outcomes.set(id, { ms: Number(ms) });
        current = undefined;
      }
    }
    clearInterval(watchdog);
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null
        ? resolve(null)
        : child.once('exit', resolve),
    );
    if (killed) {
      outcomes.set(killed, {
        excluded: `did not finish in ${(budgetMs / 1000).toFixed(0)} s alone`,
      });
      log(`  ${killed}: stopped after ${(budgetMs / 1000).toFixed(0)} s, left out`);
    } else if (child.exitCode !== 0) {
      const failed = remaining.find((id) => !outcomes.has(id));
      if (failed) outcomes.set(failed, { excluded: `failed (exit ${child.exitCode})` });
    }
    remaining = remaining.filter((id) => !outcomes.has(id));
  }
  return outcomes;
}
