// Entry point. The action loads in two parts because start-up is on every run's critical path:
// this small part starts the version check of the `pulumi` on PATH (a process of its own, about
// 100 ms), then the rest, with the Automation API, loads while that check runs.
import { startVersionCheck } from './workspace/pulumi-cli.js';

startVersionCheck();
const { run } = await import('./main.js');
await run();
