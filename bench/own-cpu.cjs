// Preloaded into the action's Node process by the benchmark (NODE_OPTIONS=--require): on exit it
// writes the CPU time that process used itself, beside the engine and the program it waits for, to
// BENCH_OWN_CPU_FILE. The variable is removed at once, so no Node process the action starts writes.
const file = process.env.BENCH_OWN_CPU_FILE;
delete process.env.BENCH_OWN_CPU_FILE;
if (file) {
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    require('node:fs').writeFileSync(file, String(Math.round((user + system) / 1000)));
  });
}
