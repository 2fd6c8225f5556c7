import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/**
 * @internal The built `rapport` binary as the end-to-end tests run it (`npm test` builds first),
 * with the environment of a user who set no database, tenant or config.
 */
export const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

const { RAPPORT_DB: _db, RAPPORT_TENANT: _tenant, RAPPORT_CONFIG: _config, ...env } = process.env;

/** @internal What one run of the binary gave. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** @internal Runs the binary in `cwd`, as a user types a command there. */
export function rapportIn(cwd: string) {
  return (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [bin, ...args],
        { cwd, env, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
}

/** @internal A runner of {@link rapportIn}. */
export type Rapport = ReturnType<typeof rapportIn>;

/** @internal A run that must succeed quietly: its stdout. */
export async function ok(run: Rapport, ...args: string[]): Promise<string> {
  const result = await run(...args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}
