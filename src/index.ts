// Entry point. The action loads in two bundles because start-up is on every run's critical path:
// this small one starts the version check of the `pulumi` on PATH (a process of its own, over
// 100 ms, unless this binary's version is remembered), then the pipeline, with the Automation API,
// loads from main.js meanwhile.
import { startKeyDerivation } from './workspace/passphrase-key.js';
import { startVersionCheck } from './workspace/version-check.js';

// The key first: it only queues work on the thread pool, where the version check starts a process.
const keyDerivation = startKeyDerivation(process.env);
const versionCheck = startVersionCheck();
// Left to Node, not bundled in: main.js is a bundle of its own (see scripts/bundle.mjs).
const { run } = await import(/* webpackIgnore: true */ './main.js');
await run(process.env, { versionCheck, keyDerivation });
