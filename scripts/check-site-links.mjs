// Walks the built docs site (docs/api, from `npm run docs`) and checks that every relative href
// and src of every HTML page resolves to a file, and every #fragment to an id on that page.
// External links (http:, mailto:) are not fetched: CI has no network beyond the registry.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const site = join(root, process.argv[2] ?? 'docs/api');
if (!existsSync(join(site, 'index.html'))) {
  console.error(`no site at ${relative(root, site)}: run npm run docs first`);
  process.exit(1);
}

function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return htmlFiles(path);
    return name.endsWith('.html') ? [path] : [];
  });
}

const idsOf = new Map();
function ids(file) {
  if (!idsOf.has(file)) {
    const text = readFileSync(file, 'utf8');
    idsOf.set(file, new Set([...text.matchAll(/\s(?:id|name)="([^"]+)"/g)].map((m) => m[1])));
  }
  return idsOf.get(file);
}

const broken = [];
let checked = 0;
const pages = htmlFiles(site);
for (const page of pages) {
  const text = readFileSync(page, 'utf8');
  for (const match of text.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
    const link = match[1].replaceAll('&amp;', '&');
    if (/^[a-z][a-z0-9+.-]*:/i.test(link) || link.startsWith('//')) continue;
    checked++;
    const [pathPart, fragment] = link.split('#');
    const target =
      pathPart === '' ? page : join(dirname(page), decodeURIComponent(pathPart.split('?')[0]));
    const file =
      existsSync(target) && statSync(target).isDirectory() ? join(target, 'index.html') : target;
    if (!existsSync(file)) {
      broken.push(`${relative(site, page)}: ${link} (no such file)`);
    } else if (fragment && file.endsWith('.html') && !ids(file).has(decodeURIComponent(fragment))) {
      broken.push(`${relative(site, page)}: ${link} (no id "${fragment}")`);
    }
  }
}
// The READMEs (on npm and GitHub) link pages of the published site by absolute URL.
const siteUrl = 'https://rapport-crm.github.io/rapport/';
const readmes = [join(root, 'README.md')];
for (const name of readdirSync(join(root, 'packages'))) {
  const readme = join(root, 'packages', name, 'README.md');
  if (existsSync(readme)) readmes.push(readme);
}
for (const readme of readmes) {
  for (const match of readFileSync(readme, 'utf8').matchAll(
    /https:\/\/rapport-crm\.github\.io\/rapport\/([^)\s>#]*)/g,
  )) {
    checked++;
    if (!existsSync(join(site, match[1] || 'index.html'))) {
      broken.push(`${relative(root, readme)}: ${siteUrl}${match[1]} (not in the site)`);
    }
  }
}
for (const link of broken) console.log(link);
if (broken.length > 0) {
  console.error(`${broken.length} broken links of ${checked} in ${pages.length} pages`);
  process.exit(1);
}
console.log(`${checked} relative links in ${pages.length} pages resolve`);
