// The release dry run: packs every published package as npm would publish it, installs the
// tarballs into an empty project outside the monorepo, type-checks the README examples there with
// `strict` and `skipLibCheck: false` (so our .d.ts files and what they import must resolve),
// runs the root README's embedding example and `rapport demo`, and checks that installing the CLI
// alone brings no test runner or bundler. Needs `npm run build` first.
//
//   node scripts/check-consumer.mjs [--keep]   (--keep leaves the temp folder for a look)
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'rapport-consumer-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const failures = [];

function run(command, args, cwd, env = {}) {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
}

function step(name, action) {
  const started = Date.now();
  try {
    const detail = action();
    console.log(
      `ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)${detail ? `: ${detail}` : ''}`,
    );
  } catch (error) {
    failures.push(name);
    console.log(
      `FAIL ${name}\n${error.stdout ?? ''}${error.stderr ?? ''}${error.stdout || error.stderr ? '' : error.message}`,
    );
  }
}

// 1. Pack every published package, and check what a stranger needs is in the tarball.
const published = readdirSync(join(root, 'packages'))
  .map((name) => ({ dir: join(root, 'packages', name), folder: name }))
  .map((entry) => ({
    ...entry,
    pkg: JSON.parse(readFileSync(join(entry.dir, 'package.json'), 'utf8')),
  }))
  .filter(({ pkg }) => !pkg.private);
const tarballOf = new Map();
step(`npm pack ${published.length} packages`, () => {
  for (const { dir, pkg } of published) {
    const [packed] = JSON.parse(
      run('npm', ['pack', '--json', '--pack-destination', tarballs], dir),
    );
    tarballOf.set(pkg.name, join(tarballs, packed.filename));
    const files = new Set(packed.files.map((file) => file.path));
    const missing = ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json'].filter(
      (f) => !files.has(f),
    );
    for (const field of ['repository', 'homepage', 'bugs', 'keywords', 'license']) {
      if (!pkg[field]) missing.push(`package.json ${field}`);
    }
    if (pkg.repository && pkg.repository.directory !== `packages/${dir.split('/').pop()}`) {
      missing.push('package.json repository.directory');
    }
    if (missing.length > 0) throw new Error(`${pkg.name} lacks ${missing.join(', ')}`);
  }
  return [...tarballOf.keys()].join(' ');
});

// The tarballs stand in for the registry: every @rapport/* range resolves to the packed file.
const overrides = Object.fromEntries([...tarballOf].map(([name, file]) => [name, `file:${file}`]));
const install = (dir) =>
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);

// better-sqlite3 downloads a prebuilt binary from GitHub, else compiles (minutes, needs headers).
// Where CI has no route to GitHub, the monorepo's binary of the same version stands in for it.
function provideSqliteBinary(project) {
  const target = join(project, 'node_modules', 'better-sqlite3');
  const binary = join('build', 'Release', 'better_sqlite3.node');
  if (!existsSync(target) || existsSync(join(target, binary))) return 'built by its install';
  const ours = join(root, 'node_modules', 'better-sqlite3');
  const version = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  if (version(ours) !== version(target))
    throw new Error('better-sqlite3 did not build and versions differ');
  mkdirSync(join(target, 'build', 'Release'), { recursive: true });
  copyFileSync(join(ours, binary), join(target, binary));
  return "the monorepo's binary";
}

// 2. The CLI alone, as `npm i -g @rapport/cli` installs it: no test runner, no bundler.
const cliProject = join(work, 'cli-only');
mkdirSync(cliProject);
step('install @rapport/cli alone and list its production tree', () => {
  writeFileSync(
    join(cliProject, 'package.json'),
    JSON.stringify(
      {
        name: 'cli-only',
        private: true,
        dependencies: { '@rapport/cli': overrides['@rapport/cli'] },
        overrides,
      },
      null,
      2,
    ),
  );
  // Scripts off: this install is only looked at, not run.
  run(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--loglevel=error',
    ],
    cliProject,
  );
  const tree = run('npm', ['ls', '--omit=dev', '--all', '--parseable'], cliProject);
  const names = new Set(
    tree
      .split('\n')
      .filter(Boolean)
      .map((path) => path.split('node_modules/').pop()),
  );
  const unwanted = [
    'vitest',
    'vite',
    'esbuild',
    'rollup',
    'fast-check',
    '@rapport/testing',
    'typescript',
  ].filter((name) => names.has(name));
  if (unwanted.length > 0) throw new Error(`@rapport/cli brings ${unwanted.join(', ')}`);
  return `${names.size - 1} packages, none of vitest/vite/esbuild/rollup/fast-check/typescript`;
});

// 3. An app using every package, the test kit as a dev dependency.
const app = join(work, 'app');
mkdirSync(join(app, 'src'), { recursive: true });
const devOnly = new Set(['@rapport/testing']);
writeFileSync(
  join(app, 'package.json'),
  JSON.stringify(
    {
      name: 'rapport-consumer',
      private: true,
      type: 'module',
      dependencies: Object.fromEntries(
        Object.entries(overrides).filter(([name]) => !devOnly.has(name)),
      ),
      devDependencies: {
        '@rapport/testing': overrides['@rapport/testing'],
        '@types/node': rootPackage.devDependencies['@types/node'],
        typescript: rootPackage.devDependencies.typescript,
        vitest: rootPackage.devDependencies.vitest,
      },
      overrides,
    },
    null,
    2,
  ),
);
step('install every tarball into an empty project', () => {
  install(app);
  return provideSqliteBinary(app);
});

// The README examples, each a module of its own. Only the root README's embedding example runs;
// the others are type-checked (one starts a server, one is a vitest file).
const readmes = [join(root, 'README.md'), ...published.map(({ dir }) => join(dir, 'README.md'))];
let blockCount = 0;
for (const readme of readmes) {
  const text = readFileSync(readme, 'utf8');
  for (const match of text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)) {
    const name = `${readme.slice(root.length).replace(/[^a-z0-9]+/gi, '-')}-${blockCount++}.ts`;
    writeFileSync(join(app, 'src', name), `${match[1]}\nexport {};\n`);
  }
}
writeFileSync(
  join(app, 'src', 'run-embedding.ts'),
  "import { main } from './README-md-0.js';\n\nconsole.log(JSON.stringify(await main()));\n",
);
writeFileSync(
  join(app, 'tsconfig.json'),
  JSON.stringify(
    {
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        skipLibCheck: false,
        types: ['node'],
        outDir: 'dist',
      },
      include: ['src'],
    },
    null,
    2,
  ),
);
step(`type-check ${blockCount} README examples with skipLibCheck: false`, () => {
  run(join(app, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], app);
});
step("run the README's embedding example", () => {
  const output = run('node', ['dist/run-embedding.js'], app).trim();
  const result = JSON.parse(output.split('\n').pop());
  if (result.stage !== 'Closed Won' || result.historyRows < 1)
    throw new Error(`unexpected result ${output}`);
  return output;
});
step('rapport demo', () => {
  const output = run(
    join(app, 'node_modules', '.bin', 'rapport'),
    ['demo', '--db', 'demo.sqlite'],
    app,
  );
  for (const expected of ['■ LEADS', '■ PIPELINE', '■ CLOSING', '■ AFTERSALES']) {
    if (!output.includes(expected)) throw new Error(`the report lacks ${expected}:\n${output}`);
  }
  const winRate = output.match(/Win rate\s+(\d+\.\d+ %)/);
  if (!winRate) throw new Error(`no win rate in the report:\n${output}`);
  return `win rate ${winRate[1]}`;
});

if (keep) console.log(`left in ${work}`);
else rmSync(work, { recursive: true, force: true });
if (failures.length > 0) {
  console.error(`consumer check failed: ${failures.join(', ')}`);
  process.exit(1);
}
