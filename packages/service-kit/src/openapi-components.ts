type Json = unknown;
type Doc = { paths?: Record<string, unknown>; components?: { schemas?: Record<string, Json> } };

const NAME = /^[A-Z][A-Za-z0-9]*$/;

/**
 * An OpenAPI document (as @fastify/swagger builds it: its `transformObject`) with every schema that has a
 * PascalCase `title` moved to `components.schemas` under that name and referred to by `$ref`. The
 * swagger plugin names only schemas nested under an `$id`; a route's own body or response schema stays
 * inline, so a generated client would get no type name for it. Shared schemas carry `title` = `$id`.
 */
export function nameSchemaComponents<D extends Doc>(document: D): D {
  const schemas: Record<string, Json> = { ...document.components?.schemas };
  const visit = (node: Json, root = false): Json => {
    if (Array.isArray(node)) return node.map((item) => visit(item));
    if (!node || typeof node !== 'object') return node;
    const copy: Record<string, Json> = {};
    for (const [key, value] of Object.entries(node)) copy[key] = key === 'examples' || key === 'example' ? value : visit(value);
    const title = copy['title'];
    if (root || typeof title !== 'string' || !NAME.test(title) || !('type' in copy || 'anyOf' in copy)) return copy;
    schemas[title] ??= copy;
    return { $ref: `#/components/schemas/${title}` };
  };
  for (const [name, schema] of Object.entries(schemas)) schemas[name] = visit(schema, true);
  const paths = visit(document.paths ?? {}) as D['paths'];
  return { ...document, paths, components: { ...document.components, schemas } };
}
