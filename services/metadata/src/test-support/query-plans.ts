import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';

/**
 * Every statement Prisma sends while `read` runs on the database at `url`, each with PostgreSQL's plan of
 * it (EXPLAIN, JSON text): what the plan specs assert index use on.
 */
export async function queryPlans(url: string, read: (prisma: PrismaClient) => Promise<unknown>): Promise<{ query: string; plan: string }[]> {
  const logged: { query: string; params: string }[] = [];
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url }), log: [{ emit: 'event', level: 'query' }] });
  prisma.$on('query', (event) => logged.push(event));
  try {
    await read(prisma);
  } finally {
    await prisma.$disconnect();
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const plans = [];
    for (const { query, params } of logged) {
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${query}`, JSON.parse(params) as unknown[]);
      plans.push({ query, plan: JSON.stringify(rows[0]['QUERY PLAN']) });
    }
    return plans;
  } finally {
    await client.end();
  }
}
