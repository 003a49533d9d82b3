import type { Static, TObject } from 'typebox';
import { SCHEMA_BASE_URI } from './envelope.js';

/**
 * One version of one event: its name (`photo.uploaded`), version number, JSON Schema for `data`,
 * a valid example and a description. The CloudEvents `type` is `${name}.v${version}`.
 */
export interface EventDefinition<N extends string = string, V extends number = number, S extends TObject = TObject> {
  readonly name: N;
  readonly version: V;
  readonly type: `${N}.v${V}`;
  readonly dataschema: string;
  readonly schema: S;
  readonly example: Static<S>;
  readonly description: string;
}

/** Declares one version of an event. */
export function defineEvent<N extends string, V extends number, S extends TObject>(spec: {
  name: N;
  version: V;
  schema: S;
  example: Static<S>;
  description: string;
}): EventDefinition<N, V, S> {
  const type = `${spec.name}.v${spec.version}` as const;
  return { ...spec, type, dataschema: `${SCHEMA_BASE_URI}/${type}.json` };
}
