// Every package must declare what its sources import (else tsup bundles it, or users miss it).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const problems = [];

function sourceFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    // test-*.ts are test support beside the tests, never reachable from index.ts.
    return /\.ts$/.test(name) && !/\.test(-d)?\.ts$/.test(name) && !name.startsWith('test-')
      ? [path]
      : [];
  });
}

for (const name of readdirSync(join(root, 'packages'))) {
  const dir = join(root, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const declared = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.peerDependencies ?? {}),
  ]);
  for (const file of sourceFiles(join(dir, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const specifier = match[1];
      if (specifier.startsWith('.') || builtins.has(specifier)) continue;
      const parts = specifier.split('/');
      const packageName = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
      if (packageName !== pkg.name && !declared.has(packageName)) {
        problems.push(
          `${pkg.name}: ${file.slice(root.length)} imports ${packageName}, not in dependencies`,
        );
      }
    }
  }
}
for (const problem of [...new Set(problems)]) console.log(problem);
if (problems.length > 0) process.exit(1);
console.log('every package declares what it imports');
