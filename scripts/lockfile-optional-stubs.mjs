// npm here resolves from a registry that does not carry every platform's optional binaries
// (e.g. @unrs/resolver-binding-android-arm-eabi answers 404), so `npm install` leaves them out of
// package-lock.json and `npm ci` then refuses the lockfile as out of sync. This records each
// missing optional dependency as an optional entry of the version its parent asks for; `npm ci`
// skips such entries on a platform they are not for, or when they cannot be fetched.
// Run after changing dependencies: `node scripts/lockfile-optional-stubs.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const nested = `${path ? `${path}/` : ''}node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (packages[nested] || packages[hoisted]) continue;
    const stub = { version: String(spec).replace(/^[\^~=]/, ''), optional: true };
    if (entry.dev) stub.dev = true;
    packages[hoisted] = stub;
    added++;
  }
}
const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
process.stdout.write(`lockfile: ${added} optional entries recorded\n`);
