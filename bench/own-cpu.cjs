// Preloaded into the action's Node process by the benchmark (NODE_OPTIONS=--require): on exit it
// writes to BENCH_OWN_CPU_FILE, as JSON, the CPU time that process used itself, beside the engine
// and the program it waits for (`cpuMs`), and how long the operation's CLI process ran (`operationMs`:
// each `pulumi preview` / `up` / `refresh` / `destroy` the action started, from its spawn to its
// exit). The variable is removed at once, so no Node process the action starts writes.
const childProcess = require('node:child_process');

const file = process.env.BENCH_OWN_CPU_FILE;
delete process.env.BENCH_OWN_CPU_FILE;
if (file) {
  const OPERATIONS = new Set(['preview', 'up', 'refresh', 'destroy']);
  let operationMs = 0;
  const spawn = childProcess.spawn;
  childProcess.spawn = function (command, args, ...rest) {
    const child = spawn.call(this, command, args, ...rest);
    if (/pulumi(\.exe)?$/.test(String(command)) && Array.isArray(args) && OPERATIONS.has(args[0])) {
      const started = performance.now();
      child.on('exit', () => (operationMs += performance.now() - started));
    }
    return child;
  };
  process.on('exit', () => {
    const { user, system } = process.cpuUsage();
    require('node:fs').writeFileSync(file, JSON.stringify({ cpuMs: Math.round((user + system) / 1000), operationMs: Math.round(operationMs) }));
  });
}
