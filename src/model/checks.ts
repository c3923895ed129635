// A smoke test's checks of the stack's outputs against `expect-outputs`, as the report shows them.
import type { OutputMap } from '@pulumi/pulumi/automation/index.js';
import type { OutputExpectation } from './settings.js';
import { outputText, type OutputCheck } from './changes.js';
import { SECRET_PLACEHOLDER } from './pulumi-formats.js';

export function checkOutputs(outputs: OutputMap, expectations: readonly OutputExpectation[]): OutputCheck[] {
  return expectations.map((expectation) => {
    const output = outputs[expectation.key];
    const actual: unknown = output === undefined ? undefined : output.value;
    const shown = output === undefined ? '(missing)' : output.secret ? SECRET_PLACEHOLDER : outputText(actual);
    if ('matches' in expectation) {
      const passed = output !== undefined && expectation.matches.test(outputText(actual));
      return { key: expectation.key, expected: String(expectation.matches), actual: shown, passed };
    }
    const passed = output !== undefined && JSON.stringify(actual) === JSON.stringify(expectation.equals);
    return { key: expectation.key, expected: outputText(expectation.equals), actual: shown, passed };
  });
}
