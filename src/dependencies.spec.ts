/**
 * The module dependency rules, checked on the real import graph of src/ (README, "How it is
 * built"). Every import counts: values, `import type`, `export … from` and dynamic `import()`.
 *
 * - Folders depend one way: (rights →) webhooks → ingestion → journeys → contacts → tenants, with common,
 *   config and metrics below all of them; `database` (entity list, migrations, embedded server)
 *   and `openapi` (the document) sit above the modules; the root files (main, app module) wire
 *   everything. `LAYERS` is the whole table: an import it does not allow fails this spec.
 * - No cycle, between folders or between files.
 *
 * The first tests run the checks on small synthetic graphs, to show they fail when a forbidden
 * import or a cycle is added; the last ones run them on src/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SRC = path.resolve('src');
const ROOT = '(root)';

/** Folder → the folders its files may import (its own folder always). */
const DOMAIN = ['tenants', 'dashboard', 'health', 'jobs', 'contacts', 'journeys', 'ingestion', 'webhooks', 'rights'];
const BASE = ['common', 'config'];
const LAYERS: Record<string, readonly string[]> = {
  config: [],
  common: ['config'],
  metrics: BASE,
  tenants: [...BASE, 'metrics'],
  dashboard: [...BASE, 'metrics'],
  health: [...BASE, 'metrics'],
  jobs: [...BASE, 'metrics'],
  contacts: [...BASE, 'metrics', 'tenants'],
  journeys: [...BASE, 'metrics', 'tenants', 'contacts', 'jobs'],
  ingestion: [...BASE, 'metrics', 'tenants', 'contacts', 'journeys'],
  webhooks: [...BASE, 'metrics', 'tenants', 'contacts', 'ingestion', 'jobs'],
  rights: [...BASE, 'metrics', 'tenants', 'contacts', 'journeys', 'webhooks'],
  openapi: [...BASE, 'metrics', ...DOMAIN],
  database: [...BASE, 'metrics', ...DOMAIN],
  [ROOT]: [...BASE, 'metrics', ...DOMAIN, 'openapi', 'database'],
};

/** file (relative to src, `/`-separated) → the src files it imports. */
type Graph = Map<string, Set<string>>;

/** Every module specifier of a TypeScript source: imports, re-exports, `import()`, `require()`. */
function specifiersOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return walk(full);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The src file a relative specifier names (`./x.js` is `./x.ts`), or null outside src or for a package. */
function resolve(fromFile: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [target.replace(/\.js$/, '.ts'), `${target}.ts`, path.join(target, 'index.ts')];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  if (!found) throw new Error(`${path.relative(SRC, fromFile)}: cannot resolve ${specifier}`);
  const relative = path.relative(SRC, found);
  return relative.startsWith('..') ? null : relative.split(path.sep).join('/');
}

function importGraph(dir: string): Graph {
  const graph: Graph = new Map();
  for (const file of walk(dir)) {
    const imports = specifiersOf(readFileSync(file, 'utf8')).flatMap((s) => resolve(file, s) ?? []);
    graph.set(path.relative(dir, file).split(path.sep).join('/'), new Set(imports));
  }
  return graph;
}

const folderOf = (file: string): string => (file.includes('/') ? file.slice(0, file.indexOf('/')) : ROOT);

/** Imports the layer table does not allow, as `from -> to` lines; a folder missing from the table is one too. */
function forbiddenImports(graph: Graph, layers: Record<string, readonly string[]>): string[] {
  const problems: string[] = [];
  for (const [from, imports] of graph) {
    const source = folderOf(from);
    const allowed = layers[source];
    if (!allowed) {
      problems.push(`${from}: folder ${source} is not in the layer table`);
      continue;
    }
    for (const to of imports) {
      const target = folderOf(to);
      if (target !== source && !allowed.includes(target)) problems.push(`${from} -> ${to} (${source} may not import ${target})`);
    }
  }
  return problems.sort();
}

/** The cycles of a graph: its strongly connected components of two or more nodes, or with a self-edge (Tarjan). */
function cycles(edges: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of edges.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || edges.get(node)?.has(node)) found.push(component.sort());
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

/** The folder graph of a file graph (edges between different folders only). */
function folderGraph(graph: Graph): Map<string, Set<string>> {
  const folders = new Map<string, Set<string>>();
  for (const [from, imports] of graph) {
    const source = folderOf(from);
    const targets = folders.get(source) ?? new Set<string>();
    for (const to of imports) if (folderOf(to) !== source) targets.add(folderOf(to));
    folders.set(source, targets);
  }
  return folders;
}

const graphOf = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

describe('dependency rules: the checks themselves', () => {
  it('reads every kind of import from source text', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "const e = await import('./e.js');",
      "import 'reflect-metadata';",
    ].join('\n');
    expect(specifiersOf(text)).toEqual(['./a.js', '../b/b.js', './c.js', './d.js', './e.js', 'reflect-metadata']);
  });

  it('fails an import the table forbids: contacts importing ingestion, tenants importing contacts', () => {
    const graph = graphOf({
      'contacts/contacts.service.ts': ['ingestion/prepare-ops.ts', 'common/errors.ts', 'tenants/tenants.repository.ts'],
      'ingestion/prepare-ops.ts': ['contacts/contacts.service.ts'],
      'tenants/tenants.repository.ts': ['contacts/contacts.service.ts'],
      'common/errors.ts': [],
    });
    expect(forbiddenImports(graph, LAYERS)).toEqual([
      'contacts/contacts.service.ts -> ingestion/prepare-ops.ts (contacts may not import ingestion)',
      'tenants/tenants.repository.ts -> contacts/contacts.service.ts (tenants may not import contacts)',
    ]);
  });

  it('fails common importing metrics, and a folder the table does not know', () => {
    const graph = graphOf({ 'common/http.ts': ['metrics/metrics.service.ts'], 'metrics/metrics.service.ts': [], 'billing/x.ts': [] });
    expect(forbiddenImports(graph, LAYERS)).toEqual([
      'billing/x.ts: folder billing is not in the layer table',
      'common/http.ts -> metrics/metrics.service.ts (common may not import metrics)',
    ]);
  });

  it('finds a cycle between files, even inside one folder, and between folders', () => {
    const graph = graphOf({
      'common/access.decorator.ts': ['common/openapi.ts'],
      'common/openapi.ts': ['common/errors.ts', 'common/access.decorator.ts'],
      'common/errors.ts': [],
      'webhooks/webhooks.service.ts': ['database/retry.ts'],
      'database/entities.ts': ['webhooks/webhook.entities.ts'],
      'database/retry.ts': [],
      'webhooks/webhook.entities.ts': [],
    });
    expect(cycles(graph)).toEqual([['common/access.decorator.ts', 'common/openapi.ts']]);
    expect(cycles(folderGraph(graph))).toEqual([['database', 'webhooks']]);
  });

  it('passes a graph that keeps the rules', () => {
    const graph = graphOf({
      'webhooks/webhooks.service.ts': ['ingestion/recorder.ts', 'common/retry.ts'],
      'ingestion/recorder.ts': ['contacts/contacts.repository.ts', 'journeys/enrollment.ts'],
      'journeys/enrollment.ts': ['contacts/contacts.repository.ts'],
      'contacts/contacts.repository.ts': ['common/vocabulary.ts', 'tenants/tenants.service.ts'],
      'tenants/tenants.service.ts': ['common/errors.ts'],
      'common/vocabulary.ts': [],
      'common/errors.ts': [],
      'common/retry.ts': [],
    });
    expect(forbiddenImports(graph, LAYERS)).toEqual([]);
    expect(cycles(graph)).toEqual([]);
    expect(cycles(folderGraph(graph))).toEqual([]);
  });
});

describe('dependency rules of src/', () => {
  const graph = importGraph(SRC);

  it('reads the real graph (not an empty one)', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('ingestion/recording/event-recorder.service.ts')).toContain('contacts/contacts.repository.ts');
  });

  it('has no import the layer table forbids', () => {
    expect(forbiddenImports(graph, LAYERS)).toEqual([]);
  });

  it('has no cycle between files', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no cycle between folders', () => {
    expect(cycles(folderGraph(graph))).toEqual([]);
  });
});
