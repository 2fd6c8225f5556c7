// Type-checks every ```ts block of the READMEs and the guides against the sources (through the
// repo's tsconfig paths), so a sample on the site or on npm cannot drift from the API. Each block
// is a module of its own; a block whose info string says `ts no-check` is left out (none should).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'tmp', 'code-blocks');

/** The markdown files whose samples are published: READMEs and the docs site's guides. */
function markdownFiles() {
  const files = [join(root, 'README.md')];
  for (const name of readdirSync(join(root, 'packages'))) {
    const readme = join(root, 'packages', name, 'README.md');
    if (existsSync(readme)) files.push(readme);
  }
  const guides = join(root, 'docs', 'guides');
  if (existsSync(guides)) {
    for (const name of readdirSync(guides).sort()) {
      if (name.endsWith('.md')) files.push(join(guides, name));
    }
  }
  return files;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const blocks = [];
for (const file of markdownFiles()) {
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/^```(ts|typescript)([^\n]*)\n([\s\S]*?)^```$/gm)) {
    if (match[2].includes('no-check')) continue;
    const line = text.slice(0, match.index).split('\n').length;
    const name = `${relative(root, file).replace(/[^a-z0-9]+/gi, '-')}-${line}.ts`;
    // `export {}` makes each block a module, so top-level await and same names in two blocks work.
    writeFileSync(join(out, name), `${match[3]}\nexport {};\n`);
    blocks.push({ name, source: `${relative(root, file)}:${line}` });
  }
}
writeFileSync(
  join(out, 'tsconfig.json'),
  JSON.stringify({ extends: '../../tsconfig.json', include: ['*.ts'], exclude: [] }, null, 2),
);
try {
  execFileSync('npx', ['--no-install', 'tsc', '-p', join(out, 'tsconfig.json'), '--noEmit'], {
    cwd: root,
    encoding: 'utf8',
    stdio: 'pipe',
  });
} catch (error) {
  // Point each error at the markdown file and line the block starts on.
  let report = `${error.stdout ?? ''}${error.stderr ?? ''}`;
  for (const { name, source } of blocks)
    report = report.replaceAll(`tmp/code-blocks/${name}`, `${source} (block)`);
  console.error(report);
  console.error(`code blocks failed to type-check (${blocks.length} checked)`);
  process.exit(1);
}
console.log(`${blocks.length} code blocks type-check`);
