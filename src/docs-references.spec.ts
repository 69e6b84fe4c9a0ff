/**
 * Comments, tests and the README cite the project's own `docs/`, never texts a clone of the
 * repository does not have; and every `docs/<file>.md#<anchor>` they cite exists.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname ?? '.', '..');
const SCANNED = ['src', 'test', 'sdk/src', 'bench', 'scripts', 'web/src', 'migrations', 'eslint.config.mjs', 'README.md', 'docs'];
const SKIPPED = new Set(['node_modules', 'generated', 'screenshots', 'fixtures']);
const THIS_FILE = path.join('src', 'docs-references.spec.ts');

/** Names of texts outside the repository (the spec folder the project started from). */
const FOREIGN = /CONTRACT(\.md| section)|events-api\.txt|providers\.md|STYLE\.md|\.\.\/shared|usermaven-http-api|event-intake-api/;

function files(rel: string): string[] {
  const full = path.join(ROOT, rel);
  if (statSync(full).isFile()) return [rel];
  return readdirSync(full).flatMap((name) => (SKIPPED.has(name) ? [] : files(path.join(rel, name))));
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (m) out.add(m[1].trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-'));
  }
  return out;
}

const texts = SCANNED.flatMap(files)
  .filter((f) => /\.(ts|tsx|mjs|md)$/.test(f) && f !== THIS_FILE)
  .map((f) => ({ file: f, text: readFileSync(path.join(ROOT, f), 'utf8') }));

describe('references to the documentation', () => {
  it('name no file outside the repository', () => {
    const found = texts.flatMap(({ file, text }) =>
      text.split('\n').flatMap((line, i) => (FOREIGN.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(found).toEqual([]);
  });

  it('point at docs files and headings that exist', () => {
    const broken: string[] = [];
    for (const { file, text } of texts) {
      const inDocs = file.startsWith(`docs${path.sep}`);
      // `docs/api.md#errors` in code and the README; `(api.md#errors)` links inside docs/.
      const pattern = inDocs ? /\]\(([a-z-]+\.md)(?:#([a-z0-9-]+))?\)/g : /\bdocs\/([a-z-]+\.md)(?:#([a-z0-9-]+))?/g;
      for (const [ref, target, anchor] of text.matchAll(pattern)) {
        const doc = path.join(ROOT, 'docs', target);
        let markdown: string;
        try {
          markdown = readFileSync(doc, 'utf8');
        } catch {
          broken.push(`${file}: ${ref} (no such file)`);
          continue;
        }
        if (anchor && !anchors(markdown).has(anchor)) broken.push(`${file}: ${ref} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});
