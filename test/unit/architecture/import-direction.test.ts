/**
 * The layers of src/, as docs/architecture.md tables them: a module imports only
 * from its own folder or from a folder of a lower layer; two folders of the same
 * layer never import each other. The table is read from the doc, so the doc,
 * the tree and this test cannot disagree.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const SRC = join(ROOT, 'src');

/**
 * From the doc's table: the layer of each folder of src/ and of each top-level
 * file, and the folder a top-level file counts as (the first folder of its row:
 * env.ts and errors.ts are part of base).
 */
function readLayers(): { layers: Map<string, number>; groups: Map<string, string> } {
  const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
  const layers = new Map<string, number>();
  const groups = new Map<string, string>();
  for (const row of doc.matchAll(/^\| (\d+) \| ([^|]+) \|/gm)) {
    const names = [...row[2]!.matchAll(/`([^`]+)`/g)].map((name) => name[1]!);
    const group = names.find((name) => !name.endsWith('.ts')) ?? names[0]!;
    for (const name of names) {
      layers.set(name, Number(row[1]));
      groups.set(name, name.endsWith('.ts') ? group : name);
    }
  }
  return { layers, groups };
}

const { layers: LAYERS, groups: GROUPS } = readLayers();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The folder (or, at the top, the file) whose layer a file of src/ has. */
const unitOf = (file: string): string => relative(SRC, file).split('/')[0]!;

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]!);
  return specs.map((spec) => normalize(join(dirname(file), spec)));
}

const files = sourceFiles(SRC);

describe('import direction', () => {
  it('every folder and top-level file of src/ has a layer in docs/architecture.md', () => {
    const unknown = [...new Set(files.map(unitOf))].filter((unit) => !LAYERS.has(unit));
    expect(unknown).toEqual([]);
  });

  it('every layer the doc names exists in src/', () => {
    const units = new Set(files.map(unitOf));
    expect([...LAYERS.keys()].filter((unit) => !units.has(unit))).toEqual([]);
  });

  it('no module imports from a higher layer or from another folder of its own layer', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = unitOf(file);
      for (const target of relativeImports(file)) {
        const to = unitOf(target);
        if (GROUPS.get(to) === GROUPS.get(from)) continue;
        if (LAYERS.get(to)! >= LAYERS.get(from)!) upward.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('finds the imports it checks', () => {
    // Guards the test itself: a regex that matched nothing would pass everything.
    const imports = files.flatMap(relativeImports);
    expect(imports.length).toBeGreaterThan(200);
  });
});
