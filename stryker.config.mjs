// @ts-check
// Mutation testing of the pure code: the services' domains, the event contracts and the event bus's
// delivery rules. `npm run test:mutation` (all), or one package:
//   npm run test:mutation -- --mutate 'services/bff/src/domain/*.ts,!**/*.spec.ts'
// Not in CI: a full run takes minutes per package on 2 cores. Reports land in reports/mutation/ (ignored).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  mutate: [
    'services/*/src/domain/**/*.ts',
    'packages/contracts/src/**/*.ts',
    'packages/event-bus/src/delivery.ts',
    'packages/event-bus/src/transient-failure.ts',
    '!**/*.spec.ts',
    '!**/test-support/**',
    // Barrels and type-only modules: nothing to mutate that a test could observe.
    '!packages/contracts/src/index.ts',
  ],
  coverageAnalysis: 'perTest',
  // Two shared cores: one vitest worker per core.
  concurrency: 2,
  // Incremental mode is opt-in (`-- --incremental`): handy while writing specs, but it reuses the result of a
  // static mutant (a module-level constant or regex) even when a new spec would now kill it, so scores are
  // measured without it. Its file is a cache of this machine's last run: ignored by git, never committed.
  incremental: false,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowEmojis: false, logTests: false, reportScoreTable: true },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // The sandbox is a copy of what the specs need, not of the whole checkout (reports, the web app, caches
  // other than the sample photos and the format corpus the processor's specs read).
  ignorePatterns: [
    '/*',
    '!/packages',
    '!/services',
    '!/test',
    '!/scripts',
    '!/package.json',
    '!/tsconfig*.json',
    // The root tsconfig references the apps' projects: vite reads them when it compiles test/ and scripts/.
    '!/apps',
    '/apps/*/*',
    '!/apps/*/tsconfig*.json',
    '!/vitest.mutation.config.ts',
    '!/.cache',
    '/.cache/*',
    '!/.cache/sample-photos',
    '!/.cache/format-corpus',
    'dist',
    '.data',
  ],
};
