#!/usr/bin/env node
// `npm run bundle`: type-checks and compiles src/ with tsc, then bundles it with ncc into dist/.
//
// @pulumi/pulumi loads TypeScript (its own 8 MB vendored copy) for the closure serializer of inline
// programs, which this action never runs. Mapping its `typescript-shim` module to a small stub
// keeps TypeScript out of the bundle: smaller, and quicker to start.
//
// undici (the HTTP client of @actions/http-client and @actions/github, 430 KB) is bundled on its own,
// into undici.cjs, and main.js imports a small module in its place that loads it on first use:
// @actions/core imports the HTTP client for OIDC tokens, so without this every run parsed and ran
// all of undici at start-up (about 35 ms here), where only a run behind a proxy or one talking to
// GitHub uses it.
//
// The output is the same wherever it is built (CI compares a fresh bundle with the committed one in
// another folder).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ncc from '@vercel/ncc';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(repo, 'dist');
const lib = path.join(repo, 'lib');
const STUB = 'typescript-stub.cjs';
const UNDICI = 'undici.cjs';
const LAZY_UNDICI = 'undici-on-use.mjs';
// What the bundled packages import from undici (@actions/http-client its ProxyAgent, @actions/github
// its fetch), each loading it when first called. The proxy test in __tests__/e2e/pr-comment.test.ts
// goes through both.
const LAZY_UNDICI_SOURCE = `// Stands in for undici (${UNDICI}) until the first call: see scripts/bundle.mjs.
import { createRequire } from 'node:module';
const undici = () => createRequire(import.meta.url)('./${UNDICI}');
export class ProxyAgent {
  constructor(...args) {
    return new (undici().ProxyAgent)(...args);
  }
}
export function fetch(...args) {
  return undici().fetch(...args);
}
`;

fs.rmSync(lib, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
  cwd: repo,
  stdio: 'inherit',
});

// Four bundles, each one file, each imported at run time by the one before (webpackIgnore in
// src/index.ts and src/workspace/stack.ts), because split chunks would be named after the build
// folder's path:
//   index.js         the entry point, small, so it starts the CLI version check at once;
//   main.js          the pipeline;
//   automation.js    the Automation API's LocalWorkspace, 1.8 MB, loaded only by runs that need it;
//   cache-worker.js  @actions/cache on a thread of its own (src/workspace/cache-service.ts), loaded
//                    only by runs that use the Actions cache.
const BUNDLES = { 'index.js': 'index.js', 'main.js': 'main.js', 'automation.js': 'workspace/automation.js', 'cache-worker.js': 'workspace/cache-worker.js' };
const built = {};
for (const [name, entry] of Object.entries(BUNDLES)) {
  built[name] = await ncc(path.join(lib, entry), {
    externals: { '/typescript-shim$/': `./${STUB}`, undici: `./${LAZY_UNDICI}` },
    target: 'es2022',
    minify: true,
    license: 'licenses.txt',
    quiet: true,
  });
}

built[UNDICI] = await ncc(path.join(repo, 'node_modules', 'undici', 'index.js'), { target: 'es2022', minify: true, license: 'licenses.txt', quiet: true });
fs.rmSync(dist, { recursive: true, force: true });
fs.mkdirSync(dist, { recursive: true });
for (const [name, { code, assets }] of Object.entries(built)) {
  fs.writeFileSync(path.join(dist, name), code);
  for (const [file, asset] of Object.entries(assets)) {
    if (file === 'licenses.txt') continue;
    fs.mkdirSync(path.dirname(path.join(dist, file)), { recursive: true });
    fs.writeFileSync(path.join(dist, file), asset.source, { mode: asset.permissions });
  }
}
// The entry's packages are all in main.js too; a package both of the others use is listed twice.
fs.writeFileSync(path.join(dist, 'licenses.txt'), ['main.js', 'automation.js', 'cache-worker.js', UNDICI].map((name) => built[name].assets['licenses.txt'].source).join(''));
fs.writeFileSync(
  path.join(dist, STUB),
  '// Stands in for TypeScript, which @pulumi/pulumi needs only to serialize inline programs.\n' +
    "module.exports = new Proxy({}, { get() { throw new Error('TypeScript is not bundled with this action'); } });\n",
);
fs.writeFileSync(path.join(dist, LAZY_UNDICI), LAZY_UNDICI_SOURCE);
fs.rmSync(lib, { recursive: true, force: true });

const size = fs.readdirSync(dist, { recursive: true }).reduce((sum, f) => {
  const stat = fs.statSync(path.join(dist, String(f)));
  return stat.isFile() ? sum + stat.size : sum;
}, 0);
console.log(`dist/: ${(size / 1024 / 1024).toFixed(1)} MB`);
