// ESLint 9 flat configuration. `npm run lint` (= `eslint .`).
//
// - typescript-eslint's recommended rules, without type information (lint stays fast; the type
//   check itself is `npm run typecheck`).
// - Import boundaries (no-restricted-imports, per file group):
//   engine/ is pure: no Node modules, nothing from cli/, web/, tests/ or bench/, and none of the
//   application-only packages; cli/ and web/ reach the engine only through engine/index.ts;
//   web/ runs in the browser: no Node modules and nothing from cli/.
// - No spreading an array into Math.max / Math.min, push, unshift, fromCharCode, nor Math.*.apply
//   (a data-sized array overflows the stack).
// - Size: functions in engine/ at most 80 lines (blank lines and comments not counted), source
//   files in engine/, cli/ and web/ at most 400 lines (counted as `wc -l` does).
import js from '@eslint/js';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Node's built-in modules by their bare names ('fs', 'fs/promises', 'path', ...); 'node:*' is a pattern below. */
const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_') && !m.startsWith('node:'));

const nodeImports = {
  paths: NODE_BUILTINS.map((name) => ({
    name,
    message: 'Node built-in modules are not available here (the engine and the web app run in the browser too).',
  })),
  patterns: [
    { group: ['node:*'], message: 'Node built-in modules are not available here (the engine and the web app run in the browser too).' },
  ],
};

/** A relative import whose path goes through a folder of that name, e.g. '../../cli/io.ts'. */
const folder = (name) => `^(\\.{1,2}/)+(.+/)?${name}(/|$)`;

/** Deep imports into the engine: anything under engine/ but engine/index.ts itself. */
const DEEP_ENGINE = {
  regex: `^(\\.{1,2}/)+(.+/)?engine/(?!index\\.ts$).+`,
  message: 'Import the engine through engine/index.ts (its public API), not its internal modules.',
};

/** Math.max(...xs) / Math.min(...xs): a data-sized array overflows the call stack. */
const NO_MATH_SPREAD = {
  selector: "CallExpression[callee.object.name='Math'][callee.property.name=/^(max|min)$/] > SpreadElement",
  message: 'Do not spread an array into Math.max/Math.min (a data-sized array overflows the call stack): loop instead.',
};
/**
 * Other calls that pass an array's elements as arguments: xs.push(...ys), unshift,
 * String.fromCharCode(...codes), fromCodePoint, and Math.max.apply(null, xs): each overflows the
 * call stack on a data-sized array (about 125,000 elements). Loop, or use concat.
 */
const NO_ARGUMENT_SPREAD = {
  selector:
    "CallExpression[callee.property.name=/^(push|unshift|fromCharCode|fromCodePoint)$/] > SpreadElement, CallExpression[callee.property.name='apply'][callee.object.object.name='Math']",
  message:
    'Do not pass an array as arguments (push(...xs), fromCharCode(...xs), Math.max.apply): a data-sized array overflows the call stack; loop or concat instead.',
};
/** import('node:...') at run time, which no-restricted-imports does not see. */
const NO_DYNAMIC_NODE_IMPORT = {
  selector: 'ImportExpression[source.value=/^node:/]',
  message: 'Node built-in modules are not available here (the engine and the web app run in the browser too).',
};

export default tseslint.config(
  {
    ignores: ['dist/', 'lib/', 'node_modules/', 'docs/reports/', 'coverage/', 'bench/out/', '.vite/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.es2021 },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed names mark deliberately unused arguments and destructured leftovers.
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // noUncheckedIndexedAccess makes `xs[i]!` the normal way to read a checked index.
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-syntax': ['error', NO_MATH_SPREAD, NO_ARGUMENT_SPREAD],
    },
  },
  // Node scripts and configuration files.
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs', 'cli/**', 'bench/**', 'tests/**', 'vite.config.ts', 'vitest.config.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['web/**'],
    languageOptions: { globals: { ...globals.browser, ...globals.worker } },
  },
  // The engine: pure, no I/O.
  {
    files: ['engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeImports.paths,
            ...['commander', 'cli-progress', 'maplibre-gl', 'd3', 'vitest', 'fast-check', 'playwright-core', 'csv-parse', 'tsx'].map(
              (name) => ({
                name,
                message: 'The engine does not depend on CLI, web-app or test packages.',
              }),
            ),
          ],
          patterns: [
            ...nodeImports.patterns,
            ...['cli', 'web', 'tests', 'bench'].map((name) => ({
              regex: folder(name),
              message: `The engine must not import from ${name}/.`,
            })),
          ],
        },
      ],
      'no-restricted-syntax': ['error', NO_MATH_SPREAD, NO_ARGUMENT_SPREAD, NO_DYNAMIC_NODE_IMPORT],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  // The CLI: the engine's public API only.
  {
    files: ['cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [DEEP_ENGINE, { regex: folder('web'), message: 'The CLI must not import from web/.' }] },
      ],
    },
  },
  // A command never imports another command: what two commands share lives in a cli/ module.
  {
    files: ['cli/commands/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            DEEP_ENGINE,
            { regex: folder('web'), message: 'The CLI must not import from web/.' },
            { regex: '^\\./', message: 'A command must not import another command: move what they share into a cli/ module.' },
          ],
        },
      ],
    },
  },
  // The web app: browser code, the engine's public API only.
  {
    files: ['web/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeImports.paths,
          patterns: [...nodeImports.patterns, DEEP_ENGINE, { regex: folder('cli'), message: 'The web app must not import from cli/.' }],
        },
      ],
      'no-restricted-syntax': ['error', NO_MATH_SPREAD, NO_ARGUMENT_SPREAD, NO_DYNAMIC_NODE_IMPORT],
    },
  },
  {
    files: ['engine/**', 'cli/**', 'web/**'],
    rules: {
      'max-lines': ['error', { max: 400, skipBlankLines: false, skipComments: false }],
    },
  },
);
