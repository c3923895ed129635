// Opens the stack through the Automation API's LocalWorkspace and applies the config.
import { LocalWorkspace, Stack, type ConfigMap, type PulumiCommand } from '@pulumi/pulumi/automation/index.js';
import { SELF_MANAGED_BACKEND, type ConfigEntry, type StackSettings } from '../inputs.js';

export interface OpenedStack {
  stack: Stack;
  /** Fully qualified name, org/project/stack. */
  stackRef: string;
}

/**
 * Selects the stack, creating it only when the plan allows (`preview`, `up`, `smoke`), so a
 * `destroy`, `refresh` or `output` of a mistyped stack fails instead of leaving a new empty stack.
 */
export async function openStack(
  settings: StackSettings,
  pulumiCommand: PulumiCommand,
  envVars: Record<string, string>,
  mayCreate: boolean,
): Promise<OpenedStack> {
  const backend = settings.backendUrl ?? process.env.PULUMI_BACKEND_URL ?? '';
  const org = settings.org ?? (SELF_MANAGED_BACKEND.test(backend) ? 'organization' : undefined);
  const stackName = settings.org ? `${settings.org}/${settings.project.name}/${settings.stack}` : settings.stack;
  const workspace = await LocalWorkspace.create({
    workDir: settings.workDir,
    pulumiCommand,
    envVars: { ...envVars, ...(settings.backendUrl ? { PULUMI_BACKEND_URL: settings.backendUrl } : {}) },
    secretsProvider: settings.secretsProvider,
  });
  // Each is a CLI process of its own (~100 ms, more for whoami's round trip to Pulumi Cloud) and
  // neither needs the other: run them side by side.
  const [stack, owner] = await Promise.all([
    mayCreate ? Stack.createOrSelect(stackName, workspace) : Stack.select(stackName, workspace),
    org ?? workspace.whoAmI().then((who) => who.user),
  ]);
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
