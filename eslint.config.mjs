import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

/**
 * Module boundaries. Test libraries (type:test) are reachable from tests, their helpers and
 * fixtures, and from other test tooling, never from code that ships.
 */
function boundaries(inTests) {
  const test = inTests ? ['type:test'] : [];
  return {
    // The build compiles file by file (tools/build/compile.mjs), so no build reads another's output;
    // test-only libraries, imported by specs alone, have no build at all.
    enforceBuildableLibDependency: false,
    banTransitiveDependencies: true,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', ...test] },
      { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', ...test] },
      { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', ...test] },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util', ...test] },
      { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:test', 'type:feature', 'type:data-access', 'type:util'] },
      // Scopes follow the flow of a record: ingest (capture, mirror) feeds analysis (comparator,
      // aggregates), whose read model feeds decision (policy, sentinel). Operator surfaces (cli,
      // console, demo, report) may read every stage; the audit trail stands apart.
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:ingest', onlyDependOnLibsWithTags: ['scope:ingest', 'scope:shared'] },
      { sourceTag: 'scope:analysis', onlyDependOnLibsWithTags: ['scope:analysis', 'scope:ingest', 'scope:shared'] },
      { sourceTag: 'scope:decision', onlyDependOnLibsWithTags: ['scope:decision', 'scope:analysis', 'scope:shared'] },
      { sourceTag: 'scope:audit', onlyDependOnLibsWithTags: ['scope:audit', 'scope:shared'] },
      { sourceTag: 'scope:sdk', onlyDependOnLibsWithTags: ['scope:sdk', 'scope:ingest', 'scope:decision', 'scope:shared'] },
      { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:cli', 'scope:ingest', 'scope:analysis', 'scope:decision', 'scope:audit', 'scope:shared'] },
      { sourceTag: 'scope:bench', onlyDependOnLibsWithTags: ['*'] },
    ],
  };
}

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '**/.penumbra', '**/*.cjs'] },
  {
    files: ['**/*.mjs'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@penumbra/*/src/*', '@penumbra/*/*'], message: 'Import a library only through its public index (@penumbra/<name>).' }] },
      ],
    },
  },
  {
    // What ships raises PenumbraErrors: a code to match on, whether a retry can help, and context.
    files: ['libs/**/*.ts', 'apps/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.spec-helpers.ts', '**/*.fixture.ts', 'libs/testing/**', 'libs/kafka-testing/**', 'libs/errors/**', 'apps/console/src/browser/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Error']", message: 'Raise a PenumbraError (@penumbra/errors) with a code, a retriable flag and context.' },
        { selector: "ClassDeclaration[superClass.name='Error']", message: 'Extend PenumbraError (@penumbra/errors), not Error.' },
      ],
    },
  },
  {
    files: ['**/*.spec.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-empty-function': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.spec-helpers.ts', '**/*.fixture.ts', '**/fixtures/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
  prettier,
];
