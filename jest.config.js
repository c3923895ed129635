// Tests are TypeScript ES modules: ts-jest compiles them, Node runs them as ESM
// (`--experimental-vm-modules`, set by scripts/test.mjs).
const tsJest = {
  '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }],
};
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: tsJest,
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

export default {
  // End-to-end tests run the real CLI; unit tests finish in milliseconds either way.
  testTimeout: 120_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'], slowTestThreshold: 60 },
    // Real workflow files under nektos/act, an independent runner (__tests__/support/act.ts).
    { ...common, displayName: 'act', testMatch: ['<rootDir>/__tests__/act/**/*.test.ts'], slowTestThreshold: 120 },
  ],
};
