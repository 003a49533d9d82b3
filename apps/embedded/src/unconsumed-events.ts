import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventBus, MemoryBroker } from '@photos/event-bus';

/** One message as the memory broker stores it. */
type StoredMessage = { key: string; headers: Record<string, string>; body: Buffer };

/** One message as the memory broker stores it, in a form JSON can hold. */
interface SavedMessage {
  channel: string;
  /** Present for a dead letter being replayed to one group: it goes back to that group only. */
  group?: string;
  key: string;
  headers: Record<string, string>;
  body: string;
}

/**
 * What the in-memory broker still had to deliver at a graceful stop, kept in a file and handed to the
 * broker again at the next start, so a restart loses no event: the processor's backlog, a photo.uploaded
 * published by an upload that finished during shutdown, a photo.processed the metadata service had not
 * projected yet. A message counts as consumed once every durable group (every subscription that is not
 * `live`) has committed past it; the rest of its partition is kept, for every group (consumers dedupe on
 * the event id, so a group that had already handled one sees a harmless repeat).
 *
 * The file is replaced at each graceful stop and left in place at start: after a crash the next start
 * delivers its events once more rather than never. A crash still loses what was published since the
 * last start and not yet consumed; the upload outbox only covers events that were never published.
 */
export class UnconsumedEvents {
  private readonly durableGroups = new Set<string>();

  constructor(
    private readonly broker: MemoryBroker,
    private readonly file: string,
  ) {}

  /** The bus, noting the name of every durable group that subscribes through it. */
  track(bus: EventBus): EventBus {
    return {
      ...bus,
      subscribe: (options) => {
        if (!options.live) this.durableGroups.add(options.group);
        return bus.subscribe(options);
      },
    };
  }

  /** Hands the events saved at the last stop to the broker; call before anyone subscribes. Returns how many. */
  restore(): number {
    if (!existsSync(this.file)) return 0;
    const saved = readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as SavedMessage);
    for (const { channel, group, key, headers, body } of saved) {
      const message = { key, headers, body: Buffer.from(body, 'base64') };
      if (group === undefined) this.broker.append(channel, message);
      else this.broker.replay(channel, group, message);
    }
    return saved.length;
  }

  /** Writes what the durable groups have not consumed; call once every consumer has stopped. Returns how many. */
  save(): number {
    const saved: SavedMessage[] = [];
    for (const [channel, partitions] of this.broker.logs) {
      const groups = [...this.durableGroups].map((name) => ({ name, group: this.broker.group(channel, name) }));
      partitions.forEach((log, partition) => {
        // No durable group yet (a start that failed early): nothing was consumed.
        const consumed = groups.length === 0 ? 0 : Math.min(...groups.map(({ group }) => group.partitions[partition]!.offset));
        for (const message of log.slice(consumed)) if (message) saved.push(this.toSaved(channel, undefined, message));
        for (const { name, group } of groups) {
          for (const message of group.replays[partition] ?? []) saved.push(this.toSaved(channel, name, message));
        }
      });
    }
    mkdirSync(dirname(this.file), { recursive: true });
    // Written aside then renamed: a stop interrupted mid-write leaves the previous file whole.
    writeFileSync(`${this.file}.next`, saved.map((message) => JSON.stringify(message)).join('\n'));
    renameSync(`${this.file}.next`, this.file);
    return saved.length;
  }

  private toSaved(channel: string, group: string | undefined, message: StoredMessage): SavedMessage {
    const { key, headers, body } = message;
    return { channel, ...(group === undefined ? {} : { group }), key, headers, body: body.toString('base64') };
  }
}
