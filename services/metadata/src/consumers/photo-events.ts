import { TransientFailure, type EventHandlers } from '@photos/event-bus';
import { isDatabaseUnavailable } from '../adapters/database-errors.js';
import type { ProjectPhotoEvent } from '../project-photo-event.js';

/**
 * The metadata service's handlers: every photo event is projected the same way. When the database is
 * unreachable or unavailable the failure is a {@link TransientFailure}: the bus retries the event until
 * the database is back (up to its retry horizon) instead of dead-lettering it after a few tries. Any
 * other failure is thrown as is: retried a few times, then dead-lettered. Events that fail their
 * contract never get here (the bus dead-letters them, unknown versions included). The cache never fails
 * a projection: its invalidation absorbs Redis errors (photo-reads.ts).
 */
export function photoEventHandlers(project: ProjectPhotoEvent): EventHandlers {
  const handle = async (event: Parameters<ProjectPhotoEvent>[0]) => {
    try {
      await project(event);
    } catch (error) {
      if (isDatabaseUnavailable(error)) throw new TransientFailure('database unavailable', { cause: error });
      throw error;
    }
  };
  return {
    'photo.uploaded': handle,
    'photo.processed': handle,
    'photo.processing-failed': handle,
    'photo.deleted': handle,
  };
}
