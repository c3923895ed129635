// Entry point. The action loads in two parts because start-up is on every run's critical path:
// this small part starts the version check of the `pulumi` on PATH (a process of its own, about
// 100 ms), then the rest, with the Automation API, loads while that check runs.
import { startVersionCheck } from './workspace/pulumi-cli.js';

startVersionCheck();
// Eager: bundled into index.js, not split into a chunk, whose ncc-chosen name would depend on the
// build folder's path (a bundle built in another checkout would differ from the committed one). It
// is still evaluated only here, after the version check has started.
const { run } = await import(/* webpackMode: "eager" */ './main.js');
await run();
