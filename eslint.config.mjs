import nx from '@nx/eslint-plugin';

/**
 * Module boundaries (enforced by @nx/enforce-module-boundaries, from the tags in each package.json):
 * services depend on contracts and kits only, never on another service; kits never on services;
 * contracts on nothing of ours. The rule reads Nx's project graph: run lint through `npm run lint`
 * (which computes the graph first), not bare eslint on a fresh clone.
 */
const moduleBoundaries = {
  enforceBuildableLibDependency: false,
  checkDynamicDependenciesExceptions: [],
  depConstraints: [
    { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:contracts', 'type:kit'] },
    // The embedded launcher is the one composition root allowed to start services in one process.
    { sourceTag: 'type:launcher', onlyDependOnLibsWithTags: ['type:service', 'type:contracts', 'type:kit'] },
    { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts'] },
    { sourceTag: 'type:kit', onlyDependOnLibsWithTags: ['type:contracts', 'type:kit'] },
    { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  ],
};

export default [
  { ignores: ['**/dist', '**/node_modules', '**/.nx', '**/vite.config.*.timestamp*', '**/vitest.config.*.timestamp*'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', moduleBoundaries],
    },
  },
  {
    // Tests (never production code) may read the format corpus, the one generator of encoded test images
    // (test/formats/format-corpus.ts), by relative path; nothing else outside their project.
    files: ['**/*.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { ...moduleBoundaries, allow: ['^(\\.\\./)+test/formats/format-corpus\\.js$'] }],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Tests poke at schemas as plain JSON; production code keeps `unknown` at its edges.
      '@typescript-eslint/no-explicit-any': 'off',
      // With noUncheckedIndexedAccess, `!` marks an index we know exists; the checker still sees the rest.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
];
