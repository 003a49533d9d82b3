/**
 * `npm run rebuild-metadata`: recreates the metadata service's photo records, after its database was
 * lost, by publishing every upload's recorded `photo.uploaded` again (scripts/rebuild-metadata-events.ts
 * says why that is enough and how deleted photos stay gone). Run it against the running platform's broker
 * and originals bucket, with metadata running on its new, empty (migrated) database:
 *
 *   AMQP_URL=... (or KAFKA_BROKERS=...) S3_ENDPOINT=... S3_ACCESS_KEY=... S3_SECRET_KEY=... \
 *     npm run rebuild-metadata [-- --checkpoint FILE]
 *
 * Prints its progress; interrupted, it goes on from its checkpoint (default `.rebuild-metadata.checkpoint`)
 * when run again. Exit codes: 0 done, 1 failed, 2 no broker configured (the embedded mode's in-memory bus
 * lives in its process). Albums and grants are not derivable from events: restore them from a backup.
 */
import { parseArgs } from 'node:util';
import { createEventBus, eventBusConfigSchema, transportOf } from '@photos/event-bus';
import { createObjectStore, objectStoreConfigSchema } from '@photos/object-store';
import { loadConfig } from '@photos/service-kit';
import Type from 'typebox';
import { republishRecordedUploads } from './rebuild-metadata-events.js';

const { values } = parseArgs({ options: { checkpoint: { type: 'string', default: '.rebuild-metadata.checkpoint' } } });
const config = loadConfig(
  Type.Object({
    ...eventBusConfigSchema.properties,
    ...objectStoreConfigSchema.properties,
    ORIGINALS_BUCKET: Type.String({ minLength: 3, default: 'originals' }),
  }),
);
if (transportOf(config) === 'memory') {
  process.stderr.write('no broker configured: set KAFKA_BROKERS or AMQP_URL (the in-memory bus lives inside its process).\n');
  process.exit(2);
}
const bus = await createEventBus(config, { clientId: 'rebuild-metadata' });
try {
  const started = performance.now();
  const result = await republishRecordedUploads({
    originals: createObjectStore(config, config.ORIGINALS_BUCKET),
    bus,
    checkpointFile: values.checkpoint,
    progress: (line) => console.log(line),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`published ${result.published} of ${result.records} recorded uploads in ${seconds} s; metadata and the processor now catch up`);
  for (const key of result.skipped) console.log(`  skipped (not a photo.uploaded event): ${key}`);
} finally {
  await bus.close();
}
