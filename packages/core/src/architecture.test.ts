import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The shape docs/architecture.md promises, checked on the sources: folders of core depend on each
// other in one direction (type-only imports count: they tie the folders as much as value imports),
// and no source file grows past the size at which it should be split.
const root = dirname(fileURLToPath(import.meta.url));

function sourceFiles(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !/\.test(-d)?\.ts$/.test(path) ? [path] : [];
  });
}

function folderOf(path: string): string | undefined {
  const parts = relative(root, path).split('/');
  return parts.length > 1 ? parts[0] : undefined;
}

/** Folder -> folders it imports from, with one importing file per edge for the message. */
function folderGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of sourceFiles(root)) {
    const from = folderOf(file);
    if (from === undefined) continue;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from\s+|import\()'(\.{1,2}\/[^']+)'/g)) {
      const specifier = match[1] ?? '';
      const to = folderOf(resolve(dirname(file), specifier));
      if (to === undefined || to === from) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, relative(root, file));
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Every cycle as a path `a -> b -> a`, found by a depth-first search from each folder. */
function cyclesOf(graph: Map<string, Map<string, string>>): string[] {
  const cycles = new Set<string>();
  const visit = (start: string, at: string, path: string[]) => {
    for (const next of graph.get(at)?.keys() ?? []) {
      if (next === start) cycles.add([...path, next].join(' -> '));
      else if (!path.includes(next) && next > start) visit(start, next, [...path, next]);
    }
  };
  for (const folder of graph.keys()) visit(folder, folder, [folder]);
  return [...cycles];
}

describe('core layout', () => {
  it('has no import cycle between its folders', () => {
    const graph = folderGraph();
    expect(graph.size).toBeGreaterThan(5);
    expect(cyclesOf(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const graph = new Map([
      ['a', new Map([['b', 'a/x.ts']])],
      ['b', new Map([['a', 'b/y.ts']])],
    ]);
    expect(cyclesOf(graph)).toEqual(['a -> b -> a']);
  });

  it('keeps every source file under 400 lines', () => {
    const long = sourceFiles(root)
      .map((file) => ({
        file: relative(root, file),
        lines: readFileSync(file, 'utf8').split('\n').length,
      }))
      .filter(({ lines }) => lines > 400);
    expect(long).toEqual([]);
  });
});
