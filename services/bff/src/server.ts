import { exitOnMissingDatabase, runService } from '@photos/service-kit';
import { bffService } from './service.js';

await runService(bffService).catch((error: unknown) => exitOnMissingDatabase(error, 'ACCOUNTS_DATABASE_URL'));
