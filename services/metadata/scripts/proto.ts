import { diffMigrationsToSchema } from '../src/adapters/schema-engine.js';
const t0 = performance.now();
const sql = await diffMigrationsToSchema('prisma/schema.prisma', 'prisma/migrations');
console.log(sql.length, performance.now() - t0);
const t1 = performance.now();
await diffMigrationsToSchema('prisma/schema.prisma', 'prisma/migrations');
console.log(performance.now() - t1);
