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
  // A browser package that ships ESM only (the workspace's web components; lit is ESM only) is
  // checked as such; every other package ships ESM and CJS and is checked for both.
  const esmOnly = !JSON.stringify(pkg.exports ?? {}).includes('"require"');
  for (const [tool, args] of [
    ['publint', ['publint', '--strict', dir]],
    [
      'attw',
      [
        'attw',
        '--pack',
        dir,
        '--profile',
        esmOnly ? 'esm-only' : 'node16',
        '--format',
        'table-flipped',
      ],
    ],
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
