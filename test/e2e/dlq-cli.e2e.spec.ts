/**
 * `npm run dlq` as an operator runs it: a child process on the broker of AMQP_URL (a vhost of its own),
 * against a real dead letter left by a consumer group, while another group is subscribed too.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { photoCatalogue, type PhotoUploaded } from '@photos/contracts';
import { createEventBus, eventBusConfigSchema, type EventBus } from '@photos/event-bus';
import { loadConfig } from '@photos/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestVhost } from '../../packages/event-bus/src/test-support/rabbitmq-vhost.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** Runs the command; resolves with its exit code and output, whatever the code. */
async function dlq(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--conditions=@photos/source', '--import', 'tsx', 'scripts/dlq.ts', ...args], {
      cwd: root,
      env: { ...process.env, KAFKA_BROKERS: '', AMQP_URL: '', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, stdout, stderr };
  }
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm run dlq (RabbitMQ)', () => {
  let vhost: Awaited<ReturnType<typeof createTestVhost>>;
  let bus: EventBus;
  let env: Record<string, string>;
  const [broken, healthy] = [`broken-${randomUUID().slice(0, 6)}`, `healthy-${randomUUID().slice(0, 6)}`];
  let fixed = false;
  const byBroken: string[] = [];
  const byHealthy: string[] = [];
  const photoId = randomUUID();
  const event: PhotoUploaded = photoCatalogue.create(
    'photo.uploaded',
    photoId,
    {
      photoId,
      ownerId: 'owner-1',
      objectKey: `originals/owner-1/${photoId}`,
      filename: 'cat.jpg',
      contentType: 'image/jpeg',
      bytes: 1234,
      sha256: 'a'.repeat(64),
      uploadedAt: new Date().toISOString(),
    },
    { source: '/dlq-test' },
  );

  beforeAll(async () => {
    vhost = await createTestVhost('dlq-cli');
    env = { AMQP_URL: vhost.url };
    bus = await createEventBus(loadConfig(eventBusConfigSchema, env));
    await bus.subscribe({
      group: broken,
      maxAttempts: 2,
      backoff: { initialMs: 5, maxMs: 10 },
      handlers: {
        'photo.uploaded': async (e) => {
          if (!fixed) throw new Error('thumbnail column too short');
          byBroken.push(e.id);
        },
      },
    });
    await bus.subscribe({ group: healthy, handlers: { 'photo.uploaded': async (e) => void byHealthy.push(e.id) } });
    await bus.publish(event);
    await waitFor('the dead letter', async () => (await bus.deadLetters(broken)).length === 1);
    await waitFor('the healthy group', () => byHealthy.length === 1);
  });

  afterAll(async () => {
    await bus?.close();
    await vhost?.remove();
  });

  it("lists a group's dead letters with their reason, as a table and as JSON", async () => {
    const listed = await dlq(env, 'list', broken);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/EVENT ID\s+TYPE\s+SUBJECT\s+ATTEMPTS\s+DEAD-LETTERED AT\s+REASON/);
    expect(listed.stdout).toMatch(new RegExp(`${event.id}\\s+photo\\.uploaded\\.v1\\s+${photoId}\\s+2\\s+\\S+\\s+thumbnail column too short`));
    const json = JSON.parse((await dlq(env, 'list', broken, '--json')).stdout) as unknown[];
    expect(json).toEqual([expect.objectContaining({ id: event.id, attempts: 2, reason: 'thumbnail column too short' })]);
  });

  it('shows one dead letter whole, and says when there is none', async () => {
    const shown = await dlq(env, 'show', broken, event.id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('thumbnail column too short');
    expect(shown.stdout).toContain('"filename": "cat.jpg"');
    const missing = await dlq(env, 'show', broken, randomUUID());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no dead letter with event id');
  });

  it('replays to that group only, and empties its dead letters', async () => {
    fixed = true;
    const replayed = await dlq(env, 'replay', broken);
    expect(replayed).toMatchObject({ code: 0, stdout: expect.stringContaining(`replayed 1 dead letter(s) to group ${broken}`) });
    await waitFor('the broken group to handle the replayed event', () => byBroken.includes(event.id));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(byBroken).toEqual([event.id]);
    expect(byHealthy).toEqual([event.id]);
    expect((await dlq(env, 'list', broken)).stdout).toContain(`no dead letters in group ${broken}`);
  });

  it('refuses without a broker (exit 2) and on bad usage (exit 2)', async () => {
    const memory = await dlq({}, 'list', broken);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain('set KAFKA_BROKERS or AMQP_URL');
    expect((await dlq(env, 'list', broken, '--limit', 'zero')).code).toBe(2);
  });
});
