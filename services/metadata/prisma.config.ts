import { defineConfig } from 'prisma/config';

// For the Prisma CLI: `prisma generate` (run on install; needs no database) and `prisma migrate
// deploy` (the compose migrate step and production images; needs DATABASE_URL). `env()` would throw
// without DATABASE_URL and break generate, hence the plain lookup.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env['DATABASE_URL'] ?? '' },
});
