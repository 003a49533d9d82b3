import type { Static, TObject } from 'typebox';
import type { EventDefinition } from './define-event.js';

type AnyDefinition = EventDefinition<string, number, TObject>;

/**
 * Every version of one event still published, oldest first, and the upcasters that turn version n's
 * data into version n+1's. Consumers always receive the latest version: older ones are upcast on read.
 */
export interface EventFamily<N extends string = string, Latest extends AnyDefinition = AnyDefinition> {
  readonly name: N;
  readonly latest: Latest;
  readonly versions: readonly AnyDefinition[];
  /** `upcasters[n]` turns data of version n into data of version n + 1. */
  readonly upcasters: Readonly<Record<number, (data: unknown) => unknown>>;
}

/** Declares the versions of one event. The last definition is the latest version. */
export function defineFamily<Latest extends AnyDefinition>(
  versions: readonly [...EventDefinition<Latest['name'], number, TObject>[], Latest],
  upcasters: Readonly<Record<number, (data: unknown) => unknown>> = {},
): EventFamily<Latest['name'], Latest> {
  const latest = versions[versions.length - 1] as Latest;
  const name = latest.name;
  versions.forEach((definition, index) => {
    if (definition.name !== name) throw new Error(`family ${name}: version ${definition.type} has another name`);
    if (index > 0 && definition.version <= versions[index - 1]!.version) {
      throw new Error(`family ${name}: versions must be listed oldest first`);
    }
    if (definition !== latest && !upcasters[definition.version]) {
      throw new Error(`family ${name}: no upcaster from v${definition.version}`);
    }
  });
  return { name, latest, versions, upcasters };
}

/** The data type of a family's latest version. */
export type LatestData<F extends EventFamily> = Static<F['latest']['schema']>;
