// ESLint as actions/typescript-action has it: typescript-eslint's type-checked rules on the
// TypeScript that tsconfig.json covers (an un-awaited promise is the bug they catch that matters
// most here: an error that escapes the one setFailed), ESLint's own recommended rules on the
// JavaScript. Layout is Prettier's business (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // Built, downloaded or recorded, or another project's code (the example Pulumi programs).
  globalIgnores(['dist/', 'lib/', 'coverage/', '.local-run/', 'examples/', '__tests__/fixtures/']),
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    // Pulumi programs and policy packs the event recorder runs: CommonJS, as `pulumi new` makes them.
    files: ['**/*.cjs', 'scripts/record-events/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    files: ['src/**/*.ts', '__tests__/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // The scripts' type declarations, outside tsconfig.json: no type information to check them with.
    files: ['scripts/**/*.d.mts'],
    extends: [tseslint.configs.recommended],
  },
);
