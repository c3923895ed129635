#!/usr/bin/env node
// `npm run bundle`: type-checks and compiles src/ with tsc, then bundles it with ncc into dist/.
//
// @pulumi/pulumi loads TypeScript (its own 8 MB vendored copy) for the closure serializer of inline
// programs, which this action never runs. Mapping its `typescript-shim` module to a small stub
// keeps TypeScript out of the bundle: smaller, and quicker to start.
//
// The output is the same wherever it is built (CI compares a fresh bundle with the committed one in
// another folder), so the bundle is one file: see the eager import in src/index.ts.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ncc from '@vercel/ncc';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(repo, 'dist');
const lib = path.join(repo, 'lib');
const STUB = 'typescript-stub.cjs';

fs.rmSync(lib, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
  cwd: repo,
  stdio: 'inherit',
});

const { code, assets } = await ncc(path.join(lib, 'index.js'), {
  externals: { '/typescript-shim$/': `./${STUB}` },
  target: 'es2022',
  minify: true,
  license: 'licenses.txt',
  quiet: true,
});

fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });
fs.writeFileSync(path.join(dist, 'index.js'), code);
for (const [name, asset] of Object.entries(assets)) {
  const file = path.join(dist, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, asset.source, { mode: asset.permissions });
}
fs.writeFileSync(
  path.join(dist, STUB),
  '// Stands in for TypeScript, which @pulumi/pulumi needs only to serialize inline programs.\n' +
    "module.exports = new Proxy({}, { get() { throw new Error('TypeScript is not bundled with this action'); } });\n",
);
fs.rmSync(lib, { recursive: true, force: true });

const size = fs.readdirSync(dist, { recursive: true }).reduce((sum, f) => {
  const stat = fs.statSync(path.join(dist, String(f)));
  return stat.isFile() ? sum + stat.size : sum;
}, 0);
console.log(`dist/: ${(size / 1024 / 1024).toFixed(1)} MB`);
