#!/usr/bin/env node
// Builds every workspace that has a build script, one line per package on stderr; a failing
// build prints its own output and stops. `npm run demo` uses it so that the demo's report is
// what the terminal shows, not the build tools' output.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = JSON.parse(readFileSync('package.json', 'utf8'));
const folders = root.workspaces.flatMap((pattern) => {
  if (!pattern.endsWith('/*')) return [pattern];
  const parent = pattern.slice(0, -2);
  return readdirSync(parent)
    .map((name) => join(parent, name))
    .filter((dir) => existsSync(join(dir, 'package.json')));
});
for (const folder of folders) {
  const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
  if (!pkg.scripts?.build) continue;
  process.stderr.write(`building ${pkg.name}\n`);
  const result = spawnSync('npm', ['run', 'build', '--silent'], {
    cwd: folder,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(`${result.stdout}${result.stderr}\nbuilding ${pkg.name} failed\n`);
    process.exit(result.status ?? 1);
  }
}
