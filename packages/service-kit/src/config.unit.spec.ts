import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import { ConfigError, baseConfigSchema, exitOnConfigError, loadConfig, trustProxyOption } from './config.js';

const schema = Type.Object({
  ...baseConfigSchema.properties,
  DATABASE_URL: Type.String({ minLength: 1 }),
  CACHE_ENABLED: Type.Boolean({ default: false }),
  RATIO: Type.Number({ default: 0.5 }),
  KAFKA_BROKERS: Type.Array(Type.String({ minLength: 1 }), { default: ['localhost:9092'] }),
  REDIS_URL: Type.Optional(Type.String()),
});

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies defaults for unset and empty variables', () => {
    const config = loadConfig(schema, { DATABASE_URL: 'postgres://db/photos', LOG_LEVEL: '' });
    expect(config).toEqual({
      PORT: 3000,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: 10_000,
      METRICS_PORT: 9300,
      METRICS_HOST: '127.0.0.1',
      TRUST_PROXY: 'false',
      DATABASE_URL: 'postgres://db/photos',
      CACHE_ENABLED: false,
      RATIO: 0.5,
      KAFKA_BROKERS: ['localhost:9092'],
    });
  });

  it('converts strings to the declared types', () => {
    const config = loadConfig(schema, {
      PORT: '8080',
      LOG_LEVEL: 'debug',
      DATABASE_URL: 'postgres://db/photos',
      CACHE_ENABLED: 'TRUE',
      RATIO: '0.25',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      REDIS_URL: 'redis://cache',
      UNRELATED: 'ignored',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      LOG_LEVEL: 'debug',
      CACHE_ENABLED: true,
      RATIO: 0.25,
      KAFKA_BROKERS: ['kafka-1:9092', 'kafka-2:9092'],
      REDIS_URL: 'redis://cache',
    });
    expect(config).not.toHaveProperty('UNRELATED');
    expect(loadConfig(schema, { DATABASE_URL: 'x', CACHE_ENABLED: '0' }).CACHE_ENABLED).toBe(false);
  });

  it('names every bad or missing variable and why, without echoing values', () => {
    const error = errorOf(() => loadConfig(schema, { PORT: '80.5', LOG_LEVEL: 'loud', CACHE_ENABLED: 'maybe', RATIO: 'half' }));
    expect(error.issues).toEqual([
      { variable: 'PORT', problem: 'must be integer' },
      { variable: 'LOG_LEVEL', problem: 'must be one of fatal, error, warn, info, debug, trace, silent' },
      { variable: 'DATABASE_URL', problem: 'is required' },
      { variable: 'CACHE_ENABLED', problem: 'must be boolean' },
      { variable: 'RATIO', problem: 'must be number' },
    ]);
    expect(error.message).toMatch(/^Invalid configuration: PORT must be integer; LOG_LEVEL must be one of/);
    expect(error.message).toContain('DATABASE_URL is required');
    expect(error.message).not.toContain('80.5');
  });

  it('reports constraint violations, including inside arrays', () => {
    const withDelays = Type.Object({ ...schema.properties, RETRY_DELAYS_MS: Type.Array(Type.Integer(), { default: [] }) });
    const error = errorOf(() => loadConfig(withDelays, { PORT: '70000', DATABASE_URL: 'x', RETRY_DELAYS_MS: '100, soon' }));
    expect(error.issues).toEqual([
      { variable: 'PORT', problem: 'must be <= 65535' },
      { variable: 'RETRY_DELAYS_MS', problem: 'must be integer (at /1)' },
    ]);
    expect(loadConfig(withDelays, { DATABASE_URL: 'x', RETRY_DELAYS_MS: '100,200' }).RETRY_DELAYS_MS).toEqual([100, 200]);
  });
});

describe('TRUST_PROXY', () => {
  const trustProxyOf = (value: string) => trustProxyOption(loadConfig(schema, { DATABASE_URL: 'x', TRUST_PROXY: value }).TRUST_PROXY);

  it('is off by default, and takes true or a list of proxy addresses and CIDRs', () => {
    expect(trustProxyOption(loadConfig(schema, { DATABASE_URL: 'x' }).TRUST_PROXY)).toBe(false);
    expect(trustProxyOf('true')).toBe(true);
    expect(trustProxyOf('127.0.0.1')).toEqual(['127.0.0.1']);
    expect(trustProxyOf('10.0.0.0/8, fd00::/8,loopback')).toEqual(['10.0.0.0/8', 'fd00::/8', 'loopback']);
  });

  it('refuses a hop count (Fastify would trust nobody) and anything that is not an address list', () => {
    for (const value of ['2', '10.0.0.1; rm -rf', 'yes please']) {
      expect(errorOf(() => loadConfig(schema, { DATABASE_URL: 'x', TRUST_PROXY: value })).issues[0]?.variable).toBe('TRUST_PROXY');
    }
  });
});

describe('exitOnConfigError', () => {
  it('prints one JSON line naming the variables and exits 1', () => {
    const lines: string[] = [];
    let code: number | undefined;
    const exit = ((c: number) => {
      code = c;
      throw new Error('exited');
    }) as (code: number) => never;
    expect(() => exitOnConfigError(() => loadConfig(schema, {}), { write: (l) => lines.push(l), exit })).toThrow('exited');
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? '') as { level: string; msg: string };
    expect(line.level).toBe('fatal');
    expect(line.msg).toBe('Invalid configuration: DATABASE_URL is required');
  });

  it('returns the config when it is valid and rethrows other errors', () => {
    expect(exitOnConfigError(() => loadConfig(schema, { DATABASE_URL: 'x' })).PORT).toBe(3000);
    expect(() =>
      exitOnConfigError(() => {
        throw new TypeError('bug');
      }),
    ).toThrow(TypeError);
  });
});
