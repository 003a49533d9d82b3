import { exitOnMissingDatabase, runService } from '@photos/service-kit';
import { metadataService } from './service.js';

await runService(metadataService).catch((error: unknown) => exitOnMissingDatabase(error, 'DATABASE_URL'));
