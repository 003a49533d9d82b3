import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@photos/source'] },
  ssr: { resolve: { conditions: ['@photos/source'] } },
  test: {
    include: [
      'packages/*/src/**/*.spec.ts',
      'packages/*/test/**/*.spec.ts',
      'services/*/src/**/*.spec.ts',
      'apps/*/src/**/*.spec.ts',
      'scripts/**/*.spec.ts',
      'test/**/*.spec.ts',
    ],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['verbose'],
  },
});
