import type { EventHandlers } from '@photos/event-bus';
import type { ProjectPhotoEvent } from '../project-photo-event.js';

/**
 * The metadata service's handlers: every photo event is projected the same way. Throwing (database
 * trouble) makes the bus retry; events that fail their contract never get here (the bus dead-letters
 * them, unknown versions included).
 */
export function photoEventHandlers(project: ProjectPhotoEvent): EventHandlers {
  const handle = async (event: Parameters<ProjectPhotoEvent>[0]) => void (await project(event));
  return {
    'photo.uploaded': handle,
    'photo.processed': handle,
    'photo.processing-failed': handle,
    'photo.deleted': handle,
  };
}
