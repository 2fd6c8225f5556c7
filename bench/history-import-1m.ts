// A 1,000,000-row historical import through the `rapport` binary, as a user runs it:
//
//   npm run build -w packages/cli
//   node --import tsx bench/history-import-1m.ts [--rows 1000000] [--dir /tmp/rapport-1m]
//
// It writes a lead export of `--rows` rows (each with its own created date in 2018-2023, a lead
// source and a status), imports it with `rapport import leads leads.csv --history`, and reports
// rows/s and the peak RSS of the rapport process (VmHWM from /proc: the kernel's high-water mark
// of the child, which an in-process sampler cannot see). Then it imports a copy whose last row is
// bad, and checks that the all-or-nothing default left the database as it was. Not part of
// `npm test`: it takes minutes and its figures depend on the machine.
import { spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

const bin = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 && args[at + 1] !== undefined ? (args[at + 1] as string) : fallback;
};
const rows = Number(option('rows', '1000000'));
const dir = option('dir', '/tmp/rapport-history-1m');

// The project's config decides database and tenant: the caller's RAPPORT_* variables would not.
const {
  RAPPORT_DB: _db,
  RAPPORT_TENANT: _tenant,
  RAPPORT_CONFIG: _config,
  ...childEnv
} = process.env;

const sources = [
  'Web',
  'Phone Inquiry',
  'Partner Referral',
  'Purchased List',
  'Trade Show',
  'Other',
];
const statuses = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Not Converted'];

/** Writes the export: one header line, then `count` leads (the last one spoiled when `bad`). */
async function writeLeads(file: string, count: number, bad: boolean): Promise<void> {
  const out = createWriteStream(file);
  const write = (line: string) =>
    out.write(line) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', r));
  await write('Lead ID,First Name,Last Name,Company,Email,Lead Source,Status,Created Date\n');
  const start = Date.UTC(2018, 0, 1);
  const span = Date.UTC(2023, 11, 31) - start;
  let chunk = '';
  for (let i = 1; i <= count; i++) {
    // A fixed walk through the span: reproducible, no random numbers.
    const created = new Date(start + Math.floor((span * ((i * 7919) % count)) / count));
    const date = bad && i === count ? 'not a date' : created.toISOString();
    chunk += `L${i},Ada${i % 97},Lee${i % 1009},Company ${i % 5003},lead${i}@example.com,${sources[i % sources.length]},${statuses[i % statuses.length]},${date}\n`;
    if (chunk.length > 1 << 16) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((resolve) => out.end(resolve));
}

/** Runs the binary in `dir`; samples the child's VmHWM (peak RSS) while it runs. */
function rapport(
  ...argv: string[]
): Promise<{ code: number; seconds: number; peakMb: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [bin, ...argv], {
      cwd: dir,
      env: childEnv,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      // The progress bar redraws with \r: keep only the last redraw of each line.
      stderr = (stderr + d.toString()).slice(-20_000);
    });
    let peakKb = 0;
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
        if (hwm) peakKb = Math.max(peakKb, Number(hwm));
      } catch {
        // The process has ended between two samples.
      }
    };
    const timer = setInterval(sample, 100);
    child.on('exit', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      resolve({ code: code ?? 1, seconds, peakMb: peakKb / 1024, stderr, stdout });
    });
  });
}

/** The leads in the database file (read directly: a check of the bench, not a product read). */
function countLeads(): number {
  const database = new Database(join(dir, 'history.sqlite'), { readonly: true });
  try {
    const row = database.prepare('select count(*) as n from leads').get() as { n: number };
    return row.n;
  } finally {
    database.close();
  }
}

async function main() {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: npm run build -w packages/cli`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'rapport.config.json'),
    JSON.stringify({
      database: 'history.sqlite',
      tenant: { id: 'bench', name: 'Bench', baseCurrency: 'EUR' },
    }),
  );
  writeFileSync(join(dir, 'users.csv'), 'External Id,Name,Role\nrep-1,Rita Rep,rep\n');
  console.log(`writing ${rows.toLocaleString('en')} leads ...`);
  await writeLeads(join(dir, 'leads.csv'), rows, false);
  await writeLeads(join(dir, 'leads-bad.csv'), rows, true);
  const users = await rapport('import', 'users', 'users.csv');
  if (users.code !== 0) throw new Error(users.stderr);
  const history = [
    '--history',
    '--owner',
    'rep-1',
    '--map',
    'Lead ID=externalId',
    '--map',
    'Created Date=createdAt',
  ];

  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  const good = await rapport('import', 'leads', 'leads.csv', ...history);
  if (good.code !== 0) throw new Error(`import failed: ${good.stderr.slice(-2000)}`);
  const imported = countLeads();
  const loadAfter = loadavg()
    .map((l) => l.toFixed(2))
    .join(', ');
  console.log(good.stdout.trim());
  console.log(
    `history import: ${rows.toLocaleString('en')} rows in ${good.seconds.toFixed(1)} s = ${Math.round(rows / good.seconds).toLocaleString('en')} rows/s; peak RSS of rapport ${good.peakMb.toFixed(0)} MB; load average before ${load}, after ${loadAfter}`,
  );
  if (imported !== rows) throw new Error(`expected ${rows} leads, found ${imported}`);

  // A second export, the same leads, with its last row spoiled: all or nothing, nothing written.
  rmSync(join(dir, 'history.sqlite'), { force: true });
  for (const suffix of ['-wal', '-shm'])
    rmSync(join(dir, `history.sqlite${suffix}`), { force: true });
  await rapport('import', 'users', 'users.csv');
  const bad = await rapport('import', 'leads', 'leads-bad.csv', ...history);
  const after = countLeads();
  const lastLines = bad.stderr
    .split(/[\r\n]/)
    .filter((l) => l.startsWith('rapport:'))
    .slice(-3);
  console.log(
    `bad last row: exit ${bad.code} after ${bad.seconds.toFixed(1)} s, peak RSS ${bad.peakMb.toFixed(0)} MB; leads in the database afterwards: ${after}`,
  );
  for (const line of lastLines) console.log(`  ${line}`);
  if (bad.code === 0 || after !== 0) throw new Error('the all-or-nothing import wrote rows');
}

await main();
