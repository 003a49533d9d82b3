/** The slice of pino's API the bus logs through; pino loggers fit as they are. */
export interface BusLogger {
  debug(object: object, message: string): void;
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
  error(object: object, message: string): void;
}

const ignore = () => undefined;

export const silentLogger: BusLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
