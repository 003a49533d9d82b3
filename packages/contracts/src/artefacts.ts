import { asyncApiDocument } from './asyncapi.js';
import { photoCatalogue } from './photo-events.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The committed artefacts (path relative to the package, content): JSON Schemas and AsyncAPI. */
export function renderArtefacts(): Map<string, string> {
  const files = new Map<string, string>();
  for (const family of photoCatalogue.list()) {
    for (const definition of family.versions) {
      files.set(
        `schemas/${definition.type}.json`,
        json({
          $schema: 'https://json-schema.org/draft/2020-12/schema',
          $id: definition.dataschema,
          title: definition.type,
          description: definition.description,
          ...definition.schema,
          examples: [definition.example],
        }),
      );
    }
  }
  files.set('asyncapi.json', json(asyncApiDocument(photoCatalogue, { title: 'Photo platform events', version: '1.0.0' })));
  return files;
}
