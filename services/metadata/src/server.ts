import { runService } from '@photos/service-kit';
import { exitOnMissingDatabase } from './missing-database.js';
import { metadataService } from './service.js';

await runService(metadataService).catch((error: unknown) => exitOnMissingDatabase(error, 'DATABASE_URL'));
