/**
 * @internal The parent side of the multi-process proof (issue 12.5): makes a SQLite file with
 * shared accounts, starts `processes` writer processes that each commit `updates` optimistic
 * updates, and adds up what they report against what the file holds.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCrm } from '@rapport/core';
import { sqliteStorage } from '../sqlite-storage.js';
import type { WriterTally } from './test-shared-record-writer.js';

const writerScript = fileURLToPath(new URL('./test-shared-record-writer.ts', import.meta.url));
const rootTsconfig = fileURLToPath(new URL('../../../../tsconfig.json', import.meta.url));

/** @internal What the run found. */
export interface MultiProcessResult {
  /** Each writer's tally. */
  readonly tallies: readonly WriterTally[];
  /** Per account: the counter and the version stored at the end. */
  readonly stored: readonly {
    readonly id: string;
    readonly counter: number;
    readonly version: number;
  }[];
}

function runChild(args: readonly string[]): Promise<WriterTally> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, ...args], {
      env: { ...process.env, TSX_TSCONFIG_PATH: rootTsconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      err += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').at(-1);
      if (code !== 0 || !line) reject(new Error(`writer exited ${code}: ${err}`));
      else resolve(JSON.parse(line) as WriterTally);
    });
  });
}

/** @internal Runs the proof; see the file comment. */
export async function runMultiProcessWriters(options: {
  readonly processes: number;
  readonly updates: number;
  readonly records: number;
}): Promise<MultiProcessResult> {
  const directory = mkdtempSync(join(tmpdir(), 'rapport-writers-'));
  const filename = join(directory, 'shared.sqlite');
  try {
    const crm = createCrm({ storage: sqliteStorage({ filename }) });
    await crm.migrate();
    await crm.createTenant({ id: 'acme', name: 'Acme' });
    const admin = crm.tenant('acme').system();
    const owner = await admin.users.create({ name: 'Owner' });
    const ids: string[] = [];
    for (let index = 0; index < options.records; index++) {
      ids.push(
        (
          await admin.accounts.create({
            name: `Shared ${index}`,
            ownerId: owner.id,
            numberOfEmployees: 0,
          })
        ).id,
      );
    }
    await crm.destroy();
    const tallies = await Promise.all(
      Array.from({ length: options.processes }, (_, index) =>
        runChild([filename, 'acme', String(options.updates), String(index + 1), ...ids]),
      ),
    );
    const reader = createCrm({ storage: sqliteStorage({ filename }) });
    const scope = reader.tenant('acme').system();
    const stored = [];
    for (const id of ids) {
      const account = await scope.accounts.get(id);
      stored.push({ id, counter: account.numberOfEmployees ?? 0, version: account.version });
    }
    await reader.destroy();
    return { tallies, stored };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
