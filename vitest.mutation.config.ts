/**
 * The specs Stryker runs against mutants (`npm run test:mutation`, stryker.config.mjs): the unit specs and
 * the domain specs that need no peer (no broker, database or Kafka mock, so no globalSetup). Stryker runs
 * it from its sandbox, a copy of the repository, where `@photos/*` imports still resolve (through
 * node_modules' links) to the checkout, which is not mutated: a package's mutants are judged by that
 * package's own specs, as its score should be, and a contracts mutant does not rerun every service's specs.
 */
import type { RunnerTestFile, RunnerTestCase } from 'vitest';
import type { Vitest } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * Stryker's vitest runner scores a mutant by the tests it collected, and a spec whose import throws collects
 * none, so a mutant that breaks a module at load time (a schema, a constant, a family declared at import)
 * would count as survived (stryker-mutator/stryker-js#6150). This gives each such file one failed test
 * carrying its load error, so the mutant counts as killed, as it is.
 */
function unloadableFilesFail() {
  let vitest: Vitest | undefined;
  return {
    onInit(ctx: Vitest) {
      vitest = ctx;
    },
    onTestRunEnd() {
      for (const file of vitest?.state.getFiles() ?? ([] as RunnerTestFile[])) {
        if (file.result?.state !== 'fail' || file.tasks.length > 0) continue;
        const failed = {
          type: 'test',
          name: 'loads',
          mode: 'run',
          file,
          suite: file,
          result: { state: 'fail', errors: file.result.errors ?? [{ message: 'the spec file failed to load' }] },
        };
        file.tasks.push(failed as unknown as RunnerTestCase);
      }
    },
  };
}

export default defineConfig({
  resolve: { conditions: ['@photos/source'] },
  ssr: { resolve: { conditions: ['@photos/source'] } },
  test: {
    include: [
      'packages/contracts/src/**/*.unit.spec.ts',
      'packages/event-bus/src/delivery.unit.spec.ts',
      'packages/event-bus/src/transient-failure.unit.spec.ts',
      'services/*/src/domain/**/*.unit.spec.ts',
      'services/*/src/domain/**/*.int.spec.ts',
    ],
    testTimeout: 60_000,
    reporters: ['default', unloadableFilesFail()],
  },
});
