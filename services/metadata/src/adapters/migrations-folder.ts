import { fileURLToPath } from 'node:url';

/** The service's Prisma schema and migrations folder, found from this file (same place from src/ and dist/). */
export const prismaPaths = {
  schema: fileURLToPath(new URL('../../prisma/schema.prisma', import.meta.url)),
  migrations: fileURLToPath(new URL('../../prisma/migrations', import.meta.url)),
};
