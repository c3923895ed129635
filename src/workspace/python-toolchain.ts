// Which tool manages a Python program's dependencies, read from Pulumi.yaml's `runtime.options` as
// Pulumi's Python language host reads them (v3.274: its option parser, then ResolveToolchain).
import { searchUp } from './dependency-plan.js';

/**
 * `auto`: no `toolchain` option and no poetry.lock that makes it poetry's (a uv.lock, which Pulumi
 * looks for first, rules poetry out); this action then picks pip or uv.
 */
export type PythonToolchain = 'pip' | 'uv' | 'poetry' | 'auto';

export type ToolchainChoice = { toolchain: PythonToolchain } | { refused: string };

/** The values the language host accepts; any other stops it before the program runs. */
const ACCEPTED = ['pip', 'poetry', 'uv'] as const;

export function pythonToolchain(workDir: string, options: Record<string, unknown>): ToolchainChoice {
  const option = options.toolchain;
  if (option === undefined) {
    // Pulumi looks for uv.lock first, then poetry.lock, in the program's folder and every one above.
    if (searchUp(workDir, 'uv.lock')) return { toolchain: 'auto' };
    return { toolchain: searchUp(workDir, 'poetry.lock') ? 'poetry' : 'auto' };
  }
  if (typeof option === 'string' && (ACCEPTED as readonly string[]).includes(option)) return { toolchain: option as PythonToolchain };
  const named = typeof option === 'string' ? `'${option}'` : `${JSON.stringify(option)}, not a string`;
  const advice = option === 'pipenv' ? ': for a Pipenv project, write its lock out as requirements (`pipenv requirements > requirements.txt`) and use pip, or move it to poetry or uv' : '';
  return {
    refused: `Pulumi.yaml's runtime.options.toolchain is ${named}, which Pulumi's Python language host refuses; it takes ${ACCEPTED.join(', ')}${advice}.`,
  };
}
