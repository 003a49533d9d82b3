import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { connect } from 'amqplib';

const run = promisify(execFile);

/** Runs rabbitmqctl on the local broker (tests only). */
export const rabbitmqctl = (...args: string[]) => run('rabbitmqctl', args, { timeout: 60_000 });

/**
 * A vhost of its own on the RabbitMQ of AMQP_URL (default the local broker), so a test run never sees
 * another's queues. Fails loudly when the broker is unreachable. `remove()` deletes it.
 */
export async function createTestVhost(name = 'test'): Promise<{ url: string; vhost: string; remove(): Promise<void> }> {
  const vhost = `${name}-${randomUUID().slice(0, 8)}`;
  const base = new URL(process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672');
  base.pathname = `/${encodeURIComponent(vhost)}`;
  const url = base.toString();
  const user = decodeURIComponent(base.username) || 'guest';
  await rabbitmqctl('add_vhost', vhost);
  await rabbitmqctl('set_permissions', '-p', vhost, user, '.*', '.*', '.*');
  const probe = await connect(url);
  await probe.close();
  return { url, vhost, remove: async () => void (await rabbitmqctl('delete_vhost', vhost)) };
}
