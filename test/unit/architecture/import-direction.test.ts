/**
 * The layers of src/ (docs/architecture.md): a module imports only from its own
 * folder or from a folder of a lower layer. A folder's layer is its rank below;
 * two folders of the same rank never import each other.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '../../../src');

/** Higher imports lower. The top-level files beside the folders (env.ts, errors.ts) belong to the base. */
export const LAYERS: Record<string, number> = {
  base: 0,
  db: 1,
  schemas: 1,
  streaming: 2,
  mail: 2,
  providers: 3,
  billing: 3,
  account: 4,
  routing: 4,
  byok: 5,
  accounts: 5,
  payments: 6,
  middleware: 7,
  jobs: 7,
  chat: 8,
  routes: 9,
  web: 9,
  entry: 10,
};

/** The worker's entry and the app that mounts every route sit on top. */
const ENTRY_FILES = new Set(['index.ts', 'app.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The layer name of a file under src/. */
function folderOf(file: string): string {
  const rel = relative(SRC, file);
  const parts = rel.split('/');
  if (parts.length === 1) return ENTRY_FILES.has(rel) ? 'entry' : 'base';
  return parts[0]!;
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]!);
  return specs.map((spec) => normalize(join(dirname(file), spec)));
}

const files = sourceFiles(SRC);

describe('import direction', () => {
  it('every folder of src/ has a layer', () => {
    const unknown = [...new Set(files.map(folderOf))].filter((folder) => !(folder in LAYERS));
    expect(unknown).toEqual([]);
  });

  it('no module imports from a higher layer or from another folder of its own layer', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const target of relativeImports(file)) {
        const to = folderOf(target);
        if (to === from) continue;
        if (LAYERS[to]! >= LAYERS[from]!) upward.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
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
