import { isTransientError, TransientFailure } from '@photos/event-bus';
import { describe, expect, it } from 'vitest';
import { Prisma } from '../generated/prisma/client.js';
import type { ProjectPhotoEvent } from '../project-photo-event.js';
import { newPhotoId, uploaded } from '../test-support/photo-events.js';
import { photoEventHandlers } from './photo-events.js';

const failingWith =
  (error: unknown): ProjectPhotoEvent =>
  async () => {
    throw error;
  };
const event = uploaded(newPhotoId(), 'alice');

describe('metadata event handlers', () => {
  it('turn a database outage into a TransientFailure, with the driver error as its cause', async () => {
    const unreachable = new Prisma.PrismaClientKnownRequestError("Can't reach database server at 127.0.0.1:5432", { code: 'P1001', clientVersion: '7.10.0' });
    const terminated = Object.assign(new Error('Connection terminated unexpectedly'), { clientVersion: '7.10.0' });
    for (const error of [unreachable, terminated]) {
      const failure = await photoEventHandlers(failingWith(error))['photo.uploaded']!(event as never, {} as never).catch((thrown: unknown) => thrown);
      expect(failure).toBeInstanceOf(TransientFailure);
      expect((failure as Error).cause).toBe(error);
      expect(isTransientError(failure)).toBe(true);
    }
  });

  it('leave any other failure as it is (retried a few times, then dead-lettered)', async () => {
    const poison = new Prisma.PrismaClientKnownRequestError('Unique constraint failed', { code: 'P2002', clientVersion: '7.10.0' });
    const bug = new TypeError('x is undefined');
    for (const error of [poison, bug]) {
      const failure = await photoEventHandlers(failingWith(error))['photo.processed']!(event as never, {} as never).catch((thrown: unknown) => thrown);
      expect(failure).toBe(error);
      expect(isTransientError(failure)).toBe(false);
    }
  });
});
