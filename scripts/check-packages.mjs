// Checks every published package with publint and attw (ESM and CJS types). Needs a build.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const failures = [];
for (const name of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (pkg.private) continue;
  for (const [tool, args] of [
    ['publint', ['publint', '--strict', dir]],
    ['attw', ['attw', '--pack', dir, '--profile', 'node16', '--format', 'table-flipped']],
  ]) {
    try {
      execFileSync('npx', ['--no-install', ...args], {
        cwd: root,
        stdio: 'pipe',
        encoding: 'utf8',
      });
      console.log(`ok   ${tool.padEnd(8)} ${pkg.name}`);
    } catch (error) {
      failures.push(`${tool} ${pkg.name}`);
      console.log(`FAIL ${tool.padEnd(8)} ${pkg.name}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
  }
}
if (failures.length > 0) {
  console.error(`packaging checks failed: ${failures.join(', ')}`);
  process.exit(1);
}
