/**
 * Thrown by a handler when retrying cannot help (e.g. the event refers to something that will never
 * exist): the bus dead-letters the event at once with this message as the reason.
 */
export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure';
}
