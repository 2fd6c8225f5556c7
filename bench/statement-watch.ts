import type Database from 'better-sqlite3';

/** SQL time and runs per statement text. */
export type StatementTimes = Map<string, { ms: number; runs: number }>;

/**
 * Wraps a connection's prepared statements so that every run of one is reported with its SQL
 * text and time; the engine sees the same API (only the run methods are wrapped).
 */
export function watchStatements(
  database: Database.Database,
  onRun: (text: string, ms: number) => void,
): void {
  const prepare = database.prepare.bind(database);
  database.prepare = ((text: string) => {
    const statement = prepare(text);
    for (const method of ['all', 'get', 'run', 'iterate'] as const) {
      const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
      Object.defineProperty(statement, method, {
        value: (...parameters: unknown[]) => {
          const start = performance.now();
          const result = original(...parameters);
          onRun(text, performance.now() - start);
          return result;
        },
      });
    }
    return statement;
    // Cast: the wrapper returns the statement better-sqlite3's typed prepare returned.
  }) as typeof database.prepare;
}

/** A {@link watchStatements} callback that adds each run's time into `times`. */
export function addInto(times: StatementTimes): (text: string, ms: number) => void {
  return (text, ms) => {
    const entry = times.get(text) ?? { ms: 0, runs: 0 };
    entry.ms += ms;
    entry.runs += 1;
    times.set(text, entry);
  };
}
