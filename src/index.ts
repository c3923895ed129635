// Entry point. First it takes the runner's private channels (inputs, file commands, service tokens)
// out of the environment, before any process is started, so none inherits them (runner.ts). Then,
// because start-up is on every run's critical path, it starts deriving the passphrase key for
// secret config and the version check of the `pulumi` on PATH (read from the binary, or a process
// of its own where the binary does not say) while the pipeline loads from main.js.
import { takeRunnerChannels } from './base/runner.js';
import { startKeyDerivation } from './workspace/passphrase-key.js';

const runner = takeRunnerChannels(process.env);
// The key before anything else is even evaluated: it is the longest of these, and it only queues
// work on the thread pool.
const keyDerivation = startKeyDerivation(runner.input, process.env);
const { startVersionCheck } = await import(/* webpackMode: "eager" */ './workspace/version-check.js');
const versionCheck = startVersionCheck();
// Left to Node, not bundled in: main.js is a bundle of its own (see scripts/bundle.mjs).
const { run } = await import(/* webpackIgnore: true */ './main.js');
await run(runner, { versionCheck, keyDerivation });
