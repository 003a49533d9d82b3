/** Runs s3rver (our test wrapper) in a process of its own; prints `{"endpoint": ...}` once listening. */
import { startS3rver } from '@photos/object-store/test-support/s3rver';

const s3 = await startS3rver();
process.stdout.write(`${JSON.stringify({ endpoint: s3.endpoint })}\n`);
const stop = () => void s3.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
