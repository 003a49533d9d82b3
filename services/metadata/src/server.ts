import { runService } from '@photos/service-kit';
import { metadataService } from './service.js';

await runService(metadataService);
