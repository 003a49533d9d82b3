/**
 * The operator's dead-letter command, on the broker the environment selects (KAFKA_BROKERS, else
 * AMQP_URL):
 *
 *   npm run dlq -- list <group> [--limit N] [--json]      what the group dead-lettered, oldest first
 *   npm run dlq -- show <group> <event-id> [--json]       one dead letter whole: reason, headers, event
 *   npm run dlq -- replay <group> [--limit N] [--json]    deliver them again, to that group only
 *
 * Exit codes: 0 done, 1 failed (broker unreachable, no such dead letter), 2 wrong usage or no broker
 * configured (the in-memory bus lives inside the process that runs it: nothing to reach from here).
 */
import { parseArgs } from 'node:util';
import { createEventBus, eventBusConfigSchema, transportOf, type BusLogger, type DeadLetter, type EventBus } from '@photos/event-bus';
import { ConfigError, loadConfig } from '@photos/service-kit';

const USAGE = `usage: npm run dlq -- list <group> [--limit N] [--json]
       npm run dlq -- show <group> <event-id> [--json]
       npm run dlq -- replay <group> [--limit N] [--json]
The broker comes from KAFKA_BROKERS (Kafka) or AMQP_URL (RabbitMQ). Groups: metadata, processor, upload...`;

/** Ends the command with a message on stderr. */
class Exit extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

const write = (text: string): void => void process.stdout.write(`${text}\n`);

function stderrLogger(verbose: boolean): BusLogger {
  const line = (level: string) => (object: object, message: string) => {
    const err = (object as { err?: unknown }).err;
    process.stderr.write(`${level}: ${message}${err instanceof Error ? ` (${err.message})` : ''}\n`);
  };
  const quiet = () => undefined;
  return { debug: quiet, info: verbose ? line('info') : quiet, warn: verbose ? line('warn') : quiet, error: line('error') };
}

/** The event id of a dead letter, also for one that could not be decoded (from its headers). */
const idOf = (letter: DeadLetter) => letter.event?.id ?? letter.headers['ce_id'] ?? letter.headers['cloudEvents:id'] ?? '?';
const typeOf = (letter: DeadLetter) => letter.event?.type ?? letter.headers['ce_type'] ?? letter.headers['cloudEvents:type'] ?? '?';
const subjectOf = (letter: DeadLetter) => letter.event?.subject ?? letter.headers['ce_subject'] ?? letter.headers['cloudEvents:subject'] ?? '';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function summary(letter: DeadLetter) {
  const { attempts, deadLetteredAt, reason } = letter;
  return { id: idOf(letter), type: typeOf(letter), subject: subjectOf(letter), attempts, deadLetteredAt, reason };
}

async function list(bus: EventBus, group: string, limit: number, json: boolean): Promise<void> {
  const letters = await bus.deadLetters(group, limit);
  if (json) return write(JSON.stringify(letters.map(summary), null, 2));
  if (letters.length === 0) return write(`no dead letters in group ${group}`);
  const header = ['EVENT ID', 'TYPE', 'SUBJECT', 'ATTEMPTS', 'DEAD-LETTERED AT', 'REASON'];
  const rows = letters.map(summary).map((l) => [l.id, l.type, l.subject, String(l.attempts), l.deadLetteredAt, clip(l.reason.replace(/\s+/g, ' '), 80)]);
  write(table([header, ...rows]));
  write(`\n${letters.length} dead letter(s) in group ${group}${letters.length === limit ? ` (first ${limit}; --limit for more)` : ''}`);
}

async function show(bus: EventBus, group: string, id: string, json: boolean): Promise<void> {
  const letter = (await bus.deadLetters(group, Number.MAX_SAFE_INTEGER)).find((l) => idOf(l) === id);
  if (!letter) throw new Exit(`no dead letter with event id ${id} in group ${group}`, 1);
  if (json) return write(JSON.stringify(letter, null, 2));
  const { reason, attempts, deadLetteredAt } = letter;
  const fields = [
    ['event id', id],
    ['type', typeOf(letter)],
    ['subject', subjectOf(letter)],
    ['group', group],
  ];
  write(table([...fields, ['attempts', String(attempts)], ['dead-lettered at', deadLetteredAt]]));
  write(`reason:\n  ${reason}`);
  write(letter.event ? `event:\n${JSON.stringify(letter.event, null, 2)}` : `body (not a valid event):\n${letter.body}`);
}

async function replay(bus: EventBus, group: string, limit: number, json: boolean): Promise<void> {
  const replayed = await bus.replayDeadLetters(group, limit);
  write(json ? JSON.stringify({ group, replayed }) : `replayed ${replayed} dead letter(s) to group ${group}`);
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        limit: { type: 'string' },
        json: { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new Exit(`${(error as Error).message}\n${USAGE}`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) return write(USAGE);
  const [command, group, id] = positionals;
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) throw new Exit(`--limit must be a positive integer\n${USAGE}`, 2);
  const arity = { list: 2, show: 3, replay: 2 }[command ?? ''];
  if (arity === undefined || positionals.length !== arity) throw new Exit(USAGE, 2);

  let config;
  try {
    config = loadConfig(eventBusConfigSchema);
  } catch (error) {
    if (error instanceof ConfigError) throw new Exit(error.message, 2);
    throw error;
  }
  const transport = transportOf(config);
  if (transport === 'memory') {
    throw new Exit('no broker configured: set KAFKA_BROKERS or AMQP_URL. The in-memory bus lives inside its process; a CLI cannot reach it.', 2);
  }
  const bus = await createEventBus(config, { logger: stderrLogger(values.verbose), clientId: 'dlq-cli' });
  try {
    if (transport === 'rabbitmq' && !(await bus.isHealthy())) throw new Exit('cannot connect to RabbitMQ (AMQP_URL)', 1);
    if (command === 'list') await list(bus, group!, limit ?? 50, values.json);
    else if (command === 'show') await show(bus, group!, id!, values.json);
    else await replay(bus, group!, limit ?? Number.POSITIVE_INFINITY, values.json);
  } finally {
    await bus.close();
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof Exit) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = error.code;
  } else {
    process.stderr.write(`dlq: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
