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
    // `_` and a destructuring's other names beside `...rest` name what is left out on purpose.
    rules: { 'no-unused-vars': ['error', { ignoreRestSiblings: true, varsIgnorePattern: '^_' }] },
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
      // Named although the preset has them: they are what this configuration is for.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // An async function without await is how the code implements a Promise-returning interface (a stand-in, a step's hook): a throw stays a rejection.
      '@typescript-eslint/require-await': 'off',
      // `_` and a destructuring's other names beside `...rest` name what is left out on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true, varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests read webhook payloads, workflow YAML and stand-ins' JSON replies as `any` and let the assertions check their shape: typing each read would add casts, not safety.
    files: ['__tests__/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The scripts' type declarations, outside tsconfig.json: no type information to check them with.
    files: ['scripts/**/*.d.mts'],
    extends: [tseslint.configs.recommended],
  },
  {
    files: ['**/*.{js,mjs,cjs,ts,mts}'],
    rules: {
      // The code matches control characters on purpose: to keep them out of logs, keys and YAML.
      'no-control-regex': 'off',
    },
  },
);
