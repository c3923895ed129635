// A workflow step of `actions/cache` (or of a setup action's `cache:` option, which runs the same
// library): restores or saves paths under a key through @actions/cache, with the cache service's
// variables in its environment as the runner gives them to every step. The fresh-runner section of
// bench/run.mjs runs it as its own process, as the runner runs each step, for the path users take
// with pulumi/actions.
//
//   node bench/cache-step.mjs restore KEY PATH…   exits 0 on a hit, 2 on a miss
//   node bench/cache-step.mjs save KEY PATH…
import * as cache from '@actions/cache';

const [op, key, ...paths] = process.argv.slice(2);
if (op === 'restore') process.exitCode = (await cache.restoreCache(paths, key)) ? 0 : 2;
else if (op === 'save') await cache.saveCache(paths, key);
else throw new Error(`usage: cache-step.mjs restore|save KEY PATH…`);
