// Opens the stack through the Automation API's LocalWorkspace and applies the config.
import { LocalWorkspace, type ConfigMap, type PulumiCommand, type Stack } from '@pulumi/pulumi/automation/index.js';
import type { ConfigEntry, Settings } from '../inputs.js';

export interface OpenedStack {
  stack: Stack;
  /** Fully qualified name, org/project/stack. */
  stackRef: string;
}

const SELF_MANAGED = /^(file|s3|gs|azblob|postgres):\/\//;

/**
 * Selects the stack, creating it only for commands that may create one (`preview`, `up`), so a
 * `destroy`, `refresh` or `output` of a mistyped stack fails instead of leaving a new empty stack.
 */
export async function openStack(settings: Settings, pulumiCommand: PulumiCommand, envVars: Record<string, string>): Promise<OpenedStack> {
  const backend = settings.backendUrl ?? process.env.PULUMI_BACKEND_URL ?? '';
  const org = settings.org ?? (SELF_MANAGED.test(backend) ? 'organization' : undefined);
  const stackName = settings.org ? `${settings.org}/${settings.project.name}/${settings.stack}` : settings.stack;
  const args = { stackName, workDir: settings.workDir };
  const options = {
    pulumiCommand,
    envVars: { ...envVars, ...(settings.backendUrl ? { PULUMI_BACKEND_URL: settings.backendUrl } : {}) },
    secretsProvider: settings.secretsProvider,
  };
  const mayCreate = settings.command === 'preview' || settings.command === 'up';
  const stack = mayCreate
    ? await LocalWorkspace.createOrSelectStack(args, options)
    : await LocalWorkspace.selectStack(args, options);
  const owner = org ?? (await stack.workspace.whoAmI()).user;
  return { stack, stackRef: `${owner}/${settings.project.name}/${settings.stack}` };
}

/** One Automation API call per kind of key: plain keys, and property-path keys. */
export async function applyConfig(stack: Stack, entries: readonly ConfigEntry[]): Promise<void> {
  for (const isPath of [false, true]) {
    const map: ConfigMap = {};
    for (const entry of entries.filter((e) => e.path === isPath)) map[entry.key] = { value: entry.value, secret: entry.secret };
    if (Object.keys(map).length > 0) await stack.setAllConfig(map, isPath);
  }
}
