// Entry point. The action loads in parts because start-up is on every run's critical path. This
// small bundle first starts deriving the passphrase key for secret config, then the version check of
// the `pulumi` on PATH (read from the binary, or a process of its own where the binary does not say);
// the pipeline loads from main.js meanwhile.
import { startKeyDerivation } from './workspace/passphrase-key.js';

// The key before anything else is even evaluated: it is the longest of these, and it only queues
// work on the thread pool.
const keyDerivation = startKeyDerivation(process.env);
const { startVersionCheck } = await import(/* webpackMode: "eager" */ './workspace/version-check.js');
const versionCheck = startVersionCheck();
// Left to Node, not bundled in: main.js is a bundle of its own (see scripts/bundle.mjs).
const { run } = await import(/* webpackIgnore: true */ './main.js');
await run(process.env, { versionCheck, keyDerivation });
