/**
 * Compatibility of two revisions of one event version's data schema, seen from an existing consumer:
 * every value the new schema accepts must still be accepted by the old one. A new optional field is
 * fine (data schemas are open); a removed required field, a changed type, a new enum member or a
 * loosened constraint breaks the old consumer.
 */
type Schema = Record<string, unknown>;

const LOOSER_IF_LOWER = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems'] as const;
const LOOSER_IF_HIGHER = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems'] as const;

function literals(schema: Schema): unknown[] | undefined {
  if ('const' in schema) return [schema['const']];
  if (Array.isArray(schema['enum'])) return schema['enum'];
  const options = (schema['anyOf'] ?? schema['oneOf']) as Schema[] | undefined;
  if (options?.every((o) => 'const' in o)) return options.map((o) => o['const']);
  return undefined;
}

function typeOf(schema: Schema): string | undefined {
  if (typeof schema['type'] === 'string') return schema['type'];
  const values = literals(schema);
  if (values) return typeof values[0];
  return undefined;
}

/** Lists the changes from `before` to `after` that would break a consumer written against `before`. */
export function breakingChanges(before: Schema, after: Schema, path = ''): string[] {
  const at = path || '/';
  const problems: string[] = [];
  const oldType = typeOf(before);
  const newType = typeOf(after);
  if (oldType && newType !== oldType && !(oldType === 'number' && newType === 'integer')) {
    return [`${at}: type changed from ${oldType} to ${newType ?? 'anything'}`];
  }
  const oldValues = literals(before);
  const newValues = literals(after);
  if (oldValues) {
    const added = (newValues ?? ['(any value)']).filter((v) => !oldValues.includes(v));
    if (added.length) problems.push(`${at}: new values ${added.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  for (const key of LOOSER_IF_LOWER) {
    if (typeof before[key] === 'number' && !(typeof after[key] === 'number' && after[key] >= before[key])) {
      problems.push(`${at}: ${key} loosened from ${before[key]} to ${String(after[key] ?? 'none')}`);
    }
  }
  for (const key of LOOSER_IF_HIGHER) {
    if (typeof before[key] === 'number' && !(typeof after[key] === 'number' && after[key] <= before[key])) {
      problems.push(`${at}: ${key} loosened from ${before[key]} to ${String(after[key] ?? 'none')}`);
    }
  }
  for (const key of ['pattern', 'format'] as const) {
    if (before[key] !== undefined && after[key] !== before[key]) {
      problems.push(`${at}: ${key} changed from ${String(before[key])} to ${String(after[key] ?? 'none')}`);
    }
  }
  if (oldType === 'object') {
    const oldProps = (before['properties'] ?? {}) as Record<string, Schema>;
    const newProps = (after['properties'] ?? {}) as Record<string, Schema>;
    const newRequired = new Set((after['required'] ?? []) as string[]);
    for (const name of (before['required'] ?? []) as string[]) {
      if (!newRequired.has(name)) problems.push(`${path}/${name}: required field is no longer required or was removed`);
    }
    for (const [name, oldProp] of Object.entries(oldProps)) {
      const newProp = newProps[name];
      if (newProp) problems.push(...breakingChanges(oldProp, newProp, `${path}/${name}`));
    }
    if (before['additionalProperties'] === false) {
      for (const name of Object.keys(newProps)) {
        if (!(name in oldProps)) problems.push(`${path}/${name}: new field where the old schema allowed none`);
      }
    }
  }
  if (oldType === 'array' && before['items'] && after['items']) {
    problems.push(...breakingChanges(before['items'] as Schema, after['items'] as Schema, `${path}/items`));
  }
  return problems;
}
