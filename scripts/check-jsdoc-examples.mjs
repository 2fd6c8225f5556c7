// Type-checks the @example of every JSDoc comment in the packages' sources, so the examples a
// reader sees in the editor and on the reference site cannot drift from the API. Each example is a
// module of its own; the names its file exports are in scope (what the example is about), and so
// are a few declared stand-ins the examples share (a `crm` with the four KPI plugins, its `scope`),
// listed in the prelude below. An example that uses any other name must declare or import it.
// Examples written in markup (a web component's tag) are HTML and left out.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'tmp', 'jsdoc-examples');
const cliCommander = relative(
  out,
  join(
    dirname(createRequire(join(root, 'packages/cli/package.json')).resolve('commander')),
    'typings/index.js',
  ),
);

/**
 * Declared stand-ins, each added to an example only when it uses the name and does not declare it:
 * the engine (`crm`: the four KPI plugins, audit and http), a scope, a query KPI's `ctx`, a CLI `program`, a storage, a database, a deal,
 * a lead and ids, always with these types.
 */
const prelude = {
  ctx: [
    "import type { KpiQueryContext as StandInContext } from '@rapport/core/plugin';",
    'declare const ctx: StandInContext;',
  ],
  // The CLI's own commander (the root has other majors of it, for other tools).
  program: [
    `import type { Command as StandInCommand } from '${cliCommander}';`,
    'declare const program: StandInCommand;',
  ],
  storage: [
    "import type { RapportStorage as StandInStorage } from '@rapport/core/storage';",
    'declare const storage: StandInStorage;',
  ],
  db: [
    "import type { Kysely as StandInKysely } from 'kysely';",
    "import type { AnyDatabase as StandInDatabase } from '@rapport/core/storage';",
    'declare const db: StandInKysely<StandInDatabase>;',
  ],
  dialect: [
    "import type { DialectSql as StandInDialect } from '@rapport/core/storage';",
    'declare const dialect: StandInDialect;',
  ],
  deal: [
    "import type { CrmRecord as StandInDealRecord } from '@rapport/core';",
    "declare const deal: StandInDealRecord<'opportunity'>;",
  ],
  lead: [
    "import type { CrmRecord as StandInLeadRecord } from '@rapport/core';",
    "declare const lead: StandInLeadRecord<'lead'>;",
  ],
  leadId: ['declare const leadId: string;'],
  userId: ['declare const userId: string;'],
  crm: [
    "import type { Crm } from '@rapport/core';",
    "import type { closingPlugin } from '@rapport/kpi-closing';",
    "import type { pipelinePlugin } from '@rapport/kpi-pipeline';",
    "import type { leadsPlugin } from '@rapport/kpi-leads';",
    "import type { aftersalesPlugin } from '@rapport/kpi-aftersales';",
    "import type { auditPlugin as auditForCrm } from '@rapport/audit';",
    "import type { httpPlugin as httpForCrm } from '@rapport/http';",
    'declare const crm: Crm<readonly [typeof closingPlugin, typeof pipelinePlugin, typeof leadsPlugin, typeof aftersalesPlugin, ReturnType<typeof auditForCrm>, typeof httpForCrm]>;',
  ],
  scope: [
    "import type { AnyCustomFields as ScopeFields, CrmScope } from '@rapport/core';",
    "import type { closingPlugin as closingForScope } from '@rapport/kpi-closing';",
    "import type { pipelinePlugin as pipelineForScope } from '@rapport/kpi-pipeline';",
    "import type { leadsPlugin as leadsForScope } from '@rapport/kpi-leads';",
    "import type { aftersalesPlugin as aftersalesForScope } from '@rapport/kpi-aftersales';",
    'declare const scope: CrmScope<ScopeFields, readonly [typeof closingForScope, typeof pipelineForScope, typeof leadsForScope, typeof aftersalesForScope]>;',
  ],
};

/**
 * Every public name of the packages (what their entries export), with the entry to import it from:
 * an example may use the public API of any Rapport package without importing it, as the docs
 * around it do. The package an example belongs to wins, then core's entries, then the others.
 */
function publicNames() {
  const byPackage = new Map();
  for (const pkg of readdirSync(join(root, 'packages'))) {
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    const names = new Map();
    for (const entry of Object.keys(manifest.exports ?? {})) {
      if (entry === './package.json') continue;
      const file = join(
        root,
        'packages',
        pkg,
        'src',
        entry === '.' ? 'index.ts' : `${entry.slice(2)}.ts`,
      );
      let text;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      const specifier = entry === '.' ? manifest.name : `${manifest.name}/${entry.slice(2)}`;
      for (const [name, typeOnly] of exportsOf(text, file))
        if (!names.has(name)) names.set(name, { specifier, typeOnly });
    }
    byPackage.set(pkg, names);
  }
  return byPackage;
}

function sourceFiles(folder) {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return name === 'dist' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.test(-d)?\.tsx?$/.test(name) ? [path] : [];
  });
}

/** The names a module exports, with whether each is only a type (`export *` followed). */
function exportsOf(text, file) {
  const names = new Map();
  // Re-exports spanning lines (`export {\n  a,\n  type B,\n} from '...'`) are joined first.
  text = text.replace(/^export (type )?\{([^}]*)\}/gm, (all) => all.replace(/\s+/g, ' '));
  for (const m of text.matchAll(
    /^export (?:declare )?(?:async )?(function\*?|const|let|class|interface|type|enum) (\w+)/gm,
  ))
    names.set(m[2], m[1] === 'interface' || m[1] === 'type');
  for (const m of text.matchAll(/^export (type )?\{([^}]*)\}/gm)) {
    for (const part of m[2].split(',')) {
      const item = part.trim();
      if (!item) continue;
      const typeOnly = Boolean(m[1]) || item.startsWith('type ');
      const name = item
        .replace(/^type /, '')
        .split(/\s+as\s+/)
        .pop()
        .trim();
      names.set(name, typeOnly);
    }
  }
  for (const m of text.matchAll(/^export \* from '(\.[^']+)'/gm)) {
    if (!file) continue;
    const target = join(dirname(file), m[1].replace(/\.js$/, '.ts'));
    for (const [name, typeOnly] of exportsOf(readFileSync(target, 'utf8'), target))
      if (!names.has(name)) names.set(name, typeOnly);
  }
  return names;
}

/** The @example bodies of a file's JSDoc comments, with the line each starts on. */
function examplesOf(text) {
  const examples = [];
  for (const comment of text.matchAll(/\/\*\*([\s\S]*?)\*\//g)) {
    const body = comment[1].split('\n').map((line) => line.replace(/^\s*\* ?/, ''));
    const startLine = text.slice(0, comment.index).split('\n').length;
    for (let i = 0; i < body.length; i += 1) {
      if (!body[i].trimStart().startsWith('@example')) continue;
      const lines = [];
      let j = i + 1;
      for (; j < body.length && !/^\s*@\w/.test(body[j]); j += 1) lines.push(body[j]);
      const code = lines
        .join('\n')
        .replace(/^\s*```\w*\n?/m, '')
        .replace(/\n?```\s*$/m, '')
        .trim();
      // An example in markup (a web component's tag) shows HTML, not TypeScript.
      if (code && !code.startsWith('<')) examples.push({ code, line: startLine + i + 1 });
      i = j - 1;
    }
  }
  return examples;
}

/**
 * Words that are never an example's free input: keywords and the few contextual words TypeScript
 * reads as syntax. Everything else an example leaves free (a lower-case name it neither declares,
 * imports, nor calls) is an input the example assumes, such as `id` or `rows`: it is declared with
 * type `any`, so the example is checked for the API it calls (names, arguments, results), not for
 * where its inputs come from. A name an example calls must exist.
 */
const notFree = new Set(
  'abstract as async await break case catch class const continue debugger declare default delete do else enum export extends false finally for from function get if implements import in infer instanceof interface is keyof let module namespace never new null of package private protected public readonly return satisfies set static super switch this throw true try type typeof undefined unique unknown var void while with yield any boolean number string symbol object bigint'.split(
    ' ',
  ),
);

const declares = (code, name) =>
  new RegExp(
    `(?:const|let|var|function|class|interface|type|enum)\\s+${name}\\b|import[^;]*\\b${name}\\b[^;]*from|(?:const|let)\\s*[{[][^=]*\\b${name}\\b[^=]*[}\\]][^=]*=`,
  ).test(code);
// A use is the name on its own, not a property (`a.name`) or a string; a spread (`...name`) is a use.
const uses = (code, name) => new RegExp(`(?<![\\w$'"])(?<!(?<!\\.)\\.)${name}\\b`).test(code);

// The workspace's web components run in a browser: their examples compile with the DOM library,
// the others without it (as the packages themselves do).
const domPackages = new Set(['workspace']);
const folderOf = (pkg) => (domPackages.has(pkg) ? join(out, 'dom') : out);
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'dom'), { recursive: true });
const examples = [];
const publicByPackage = publicNames();
const libraries = {
  sql: { specifier: 'kysely', typeOnly: false },
  z: { specifier: 'zod', typeOnly: false },
};
for (const pkg of readdirSync(join(root, 'packages'))) {
  const src = join(root, 'packages', pkg, 'src');
  try {
    statSync(src);
  } catch {
    continue;
  }
  for (const file of sourceFiles(src)) {
    const text = readFileSync(file, 'utf8');
    const exported = exportsOf(text, file);
    for (const example of examplesOf(text)) {
      const { line } = example;
      // An example's relative imports are relative to its source file, as a reader sees them.
      const code = example.code.replace(/from '(\.{1,2}\/[^']+)'/g, (all, specifier) => {
        const target = join(dirname(file), specifier.replace(/\.js$/, '.ts'));
        return existsSync(target)
          ? `from '${relative(folderOf(pkg), target).replace(/\.ts$/, '.js')}'`
          : all;
      });
      const header = [];
      const own = [...exported].filter(([name]) => uses(code, name) && !declares(code, name));
      if (own.length > 0) {
        const specifier = relative(folderOf(pkg), file).replace(/\.tsx?$/, '.js');
        const list = own.map(([name, typeOnly]) => (typeOnly ? `type ${name}` : name)).join(', ');
        header.push(`import { ${list} } from '${specifier}';`);
      }
      const ownNames = new Set(own.map(([name]) => name));
      const imports = new Map();
      // Browser components are not in scope for the other packages' examples.
      const order = [
        pkg,
        'core',
        ...[...publicByPackage.keys()].filter((p) => !domPackages.has(p) || p === pkg),
      ];
      const candidates = new Set(code.match(/[A-Za-z_$][\w$]*/g) ?? []);
      for (const name of candidates) {
        if (ownNames.has(name) || name in prelude || !uses(code, name) || declares(code, name))
          continue;
        const found =
          order.map((p) => publicByPackage.get(p)?.get(name)).find(Boolean) ?? libraries[name];
        if (!found) continue;
        const list = imports.get(found.specifier) ?? [];
        list.push(found.typeOnly ? `type ${name}` : name);
        imports.set(found.specifier, list);
      }
      for (const [specifier, list] of imports)
        header.push(`import { ${list.join(', ')} } from '${specifier}';`);
      for (const [name, lines] of Object.entries(prelude))
        if (uses(code, name) && !declares(code, name)) header.push(...lines);
      const standIns = [...candidates].filter(
        (name) =>
          /^[a-z]/.test(name) &&
          !ownNames.has(name) &&
          !(name in prelude) &&
          !imports.has(name) &&
          ![...imports.values()].some(
            (list) => list.includes(name) || list.includes(`type ${name}`),
          ) &&
          !notFree.has(name) &&
          !(name in globalThis) &&
          uses(code, name) &&
          !declares(code, name) &&
          !new RegExp(`(?<![.\\w$])${name}\\s*[(<]`).test(code),
      );
      if (standIns.length > 0)
        header.push(`declare const ${standIns.map((n) => `${n}: any`).join(', ')};`);
      const name = `${relative(root, file).replace(/[^a-z0-9]+/gi, '-')}-${line}.ts`;
      const body = `${header.join('\n')}\n${code}\nexport {};\n`;
      writeFileSync(join(folderOf(pkg), name), body);
      examples.push({
        name,
        path: relative(root, join(folderOf(pkg), name)),
        source: `${relative(root, file)}:${line}`,
        headerLines: header.length,
      });
    }
  }
}
const programs = [
  { folder: out, extendsFrom: '../../tsconfig.json', lib: undefined },
  {
    folder: join(out, 'dom'),
    extendsFrom: '../../../tsconfig.json',
    lib: ['ES2023', 'DOM', 'DOM.Iterable'],
  },
];
let report = '';
for (const { folder, extendsFrom, lib } of programs) {
  writeFileSync(
    join(folder, 'tsconfig.json'),
    JSON.stringify(
      {
        extends: extendsFrom,
        compilerOptions: { noUnusedLocals: false, ...(lib ? { lib } : {}) },
        include: ['*.ts'],
        exclude: [],
      },
      null,
      2,
    ),
  );
  try {
    execFileSync('npx', ['--no-install', 'tsc', '-p', join(folder, 'tsconfig.json'), '--noEmit'], {
      cwd: root,
      encoding: 'utf8',
      stdio: 'pipe',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    report += `${error.stdout ?? ''}${error.stderr ?? ''}`;
  }
}
if (report) {
  // Point each error at the source file and the line of its example.
  const failed = new Set();
  for (const { path, source, headerLines } of examples) {
    const pattern = new RegExp(`${path.replaceAll('.', '\\.')}\\((\\d+),(\\d+)\\)`, 'g');
    report = report.replace(pattern, (_all, row, column) => {
      failed.add(source);
      return `${source} (example line ${Number(row) - headerLines}, column ${column})`;
    });
  }
  console.error(report);
  console.error(`${failed.size} of ${examples.length} JSDoc examples failed to type-check`);
  process.exit(1);
}
console.log(`${examples.length} JSDoc examples type-check`);
