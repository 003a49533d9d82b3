import { logLevel, type logCreator } from 'kafkajs';
import type { BusLogger } from '../logger.js';

/** Routes kafkajs' own logs into the bus logger; its INFO chatter goes to debug. */
export function kafkaLogCreator(logger: BusLogger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...rest } = log;
      const object = { kafka: rest };
      if (level === logLevel.ERROR) logger.error(object, `kafka: ${message}`);
      else if (level === logLevel.WARN) logger.warn(object, `kafka: ${message}`);
      else logger.debug(object, `kafka: ${message}`);
    };
}
