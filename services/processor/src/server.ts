import { runService } from '@photos/service-kit';
import { processorService } from './service.js';

await runService(processorService);
