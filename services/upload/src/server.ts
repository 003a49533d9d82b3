import { runService } from '@photos/service-kit';
import { uploadService } from './service.js';

await runService(uploadService);
