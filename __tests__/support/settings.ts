// A stack command's settings as the inputs stage hands them on, for the tests of the stages after it:
// they build what they need here rather than through parseInputs, whose own tests are
// __tests__/unit/inputs/ and whose defaults action-contract.test.ts holds to action.yml.
import { isEphemeral } from '../../src/model/ephemeral.js';
import { cloudConsoleUrl } from '../../src/workspace/console-url.js';
import { DEFAULT_CLOUD_URL, PINNED_PULUMI_VERSION, type EngineLog, type OperationOptions, type StackSettings } from '../../src/model/settings.js';

/** The checkout as a GitHub-hosted runner places it; nothing here reads or writes it. */
export const WORKSPACE = '/home/runner/work/shop/shop';

export type StackSettingsOverrides = Partial<Omit<StackSettings, 'operation' | 'smoke'>> & {
  operation?: Partial<Omit<OperationOptions, 'log'>> & { log?: Partial<EngineLog> };
  smoke?: Partial<StackSettings['smoke']>;
};

/**
 * The settings of `up` on `dev` with every other input at its default, as parseInputs reads a run
 * whose project `shop` (Node.js) is at the root of the checkout, with `overrides` on top. Whether the
 * stack is ephemeral follows from its name and `ephemeralStacks`, as the inputs stage decides it,
 * unless given.
 */
export function stackSettings(overrides: StackSettingsOverrides = {}): StackSettings {
  const { operation, smoke, ...rest } = overrides;
  const settings: StackSettings = {
    workspace: WORKSPACE,
    workDir: WORKSPACE,
    installDependencies: true,
    cache: true,
    ephemeralStacks: [],
    pulumiVersion: PINNED_PULUMI_VERSION,
    lockTimeoutMs: 300_000,
    jobSummary: true,
    comment: { mode: 'update', noChanges: 'update' },
    destroyApproved: false,
    github: { apiUrl: 'https://api.github.com' },
    cloudConsoleUrl: cloudConsoleUrl(DEFAULT_CLOUD_URL, undefined),
    command: 'up',
    stack: 'dev',
    ephemeral: false,
    project: { name: 'shop', runtime: 'nodejs', runtimeOptions: {} },
    config: [],
    refresh: false,
    failOnDrift: false,
    allowEphemeralState: false,
    deletesNeedApproval: false,
    ...rest,
    operation: {
      expectNoChanges: false,
      target: [],
      replace: [],
      diff: false,
      policyPacks: [],
      policyPackConfigs: [],
      exclude: [],
      excludeDependents: false,
      targetDependents: false,
      continueOnError: false,
      excludeProtected: false,
      remove: false,
      suppressOutputs: false,
      suppressProgress: false,
      ...operation,
      log: { color: 'never', flow: false, debug: false, ...operation?.log },
    },
    smoke: { ttlMs: 24 * 60 * 60 * 1000, expectOutputs: [], ...smoke },
  };
  return { ...settings, ephemeral: rest.ephemeral ?? isEphemeral(settings.stack, settings.ephemeralStacks) };
}
