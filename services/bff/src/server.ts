import { runService } from '@photos/service-kit';
import { bffService } from './service.js';

await runService(bffService);
