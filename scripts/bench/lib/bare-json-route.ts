/**
 * The baseline of bench:bff, in a process of its own: a bare Fastify app (no plugins, no logging) whose
 * one route answers the JSON text of BENCH_BODY_FILE as it is. Prints `{"url": ...}` once listening.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const body = readFileSync(process.env['BENCH_BODY_FILE']!, 'utf8');
const route = process.env['BENCH_ROUTE'] ?? '/api/photos';
const app = Fastify();
app.get(route, (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ url })}\n`);
const stop = () => void app.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
