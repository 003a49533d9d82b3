/**
 * Checks real HTTP answers against an OpenAPI 3.1 document: the document itself by
 * @seriousme/openapi-schema-validator, each answer's status, content type, documented headers and body
 * by Ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1) on the document's own schemas.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

interface MediaType {
  schema?: Record<string, unknown>;
}
interface ResponseObject {
  content?: Record<string, MediaType>;
  headers?: Record<string, unknown>;
}
type Operation = { responses: Record<string, ResponseObject> };
type Document = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, unknown> } };

const DOC_ID = 'openapi.json';
const pointer = (...parts: string[]) => parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

/** What one answer was checked against, and what did not fit. */
export interface Checked {
  route: string;
  status: number;
  problems: string[];
}

export async function openApiContract(document: unknown) {
  const verdict = await new Validator().validate(document as Parameters<Validator['validate']>[0]);
  if (!verdict.valid) throw new Error(`the OpenAPI document is not valid: ${JSON.stringify(verdict.errors).slice(0, 2000)}`);
  const doc = document as Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addFormat('binary', true);
  ajv.addSchema(doc as object, DOC_ID);

  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(
      `^${template
        .replace(/[.?+^$()[\]\\|]/g, '\\$&')
        .replace('{*}', '.+')
        .replace(/\{[^}]+\}/g, '[^/]+')}$`,
    ),
  }));
  const seen: Checked[] = [];

  return {
    document: doc,
    /** Every answer checked so far. */
    seen,
    /** The route (`GET /api/photos/{id}`) a request goes to. */
    routeOf(method: string, url: string): { template: string; operation: Operation } | undefined {
      const path = new URL(url, 'http://x').pathname;
      const match = templates.find(({ pattern }) => pattern.test(path));
      const operation = match && doc.paths[match.template]?.[method.toLowerCase()];
      return match && operation ? { template: match.template, operation } : undefined;
    },
    /**
     * Checks one answer; `body` is its text (omitted for streams and bytes, whose type alone is checked).
     * Returns what did not fit (also kept in `seen`).
     */
    check(method: string, url: string, response: { status: number; headers: Headers }, body?: string): Checked {
      const route = this.routeOf(method, url);
      const checked: Checked = {
        route: route ? `${method.toUpperCase()} ${route.template}` : `${method.toUpperCase()} ${url}`,
        status: response.status,
        problems: [],
      };
      seen.push(checked);
      if (!route) return (checked.problems.push('no such operation in the document'), checked);
      const documented = route.operation.responses[String(response.status)];
      if (!documented) return (checked.problems.push(`status ${response.status} is not documented`), checked);
      for (const header of Object.keys(documented.headers ?? {})) {
        if (!response.headers.has(header)) checked.problems.push(`header ${header} is documented but missing`);
      }
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
      if (!documented.content) {
        if (body) checked.problems.push(`no body is documented, got ${contentType}: ${body.slice(0, 200)}`);
        return checked;
      }
      const mediaType = Object.keys(documented.content).find(
        (type) => type === contentType || (type.endsWith('/*') && contentType.startsWith(type.slice(0, -1))),
      );
      if (!mediaType) return (checked.problems.push(`content type ${contentType || '(none)'} is not one of ${Object.keys(documented.content)}`), checked);
      if (body === undefined || !mediaType.endsWith('json')) return checked;
      const ref = `${DOC_ID}#/${pointer('paths', route.template, method.toLowerCase(), 'responses', String(response.status), 'content', mediaType, 'schema')}`;
      const validate = ajv.getSchema(ref) ?? ajv.compile({ $ref: ref });
      let value: unknown;
      try {
        value = JSON.parse(body);
      } catch {
        return (checked.problems.push(`body is not JSON: ${body.slice(0, 200)}`), checked);
      }
      if (!validate(value)) checked.problems.push(`body does not fit: ${ajv.errorsText(validate.errors)}; body ${body.slice(0, 300)}`);
      return checked;
    },
    /** Validates `value` against `#/components/schemas/<name>`; returns what did not fit. */
    checkComponent(name: string, value: unknown): string[] {
      const validate = ajv.getSchema(`${DOC_ID}#/components/schemas/${name}`);
      if (!validate) return [`no component ${name}`];
      return validate(value) ? [] : [ajv.errorsText(validate.errors)];
    },
  };
}

export type OpenApiContract = Awaited<ReturnType<typeof openApiContract>>;
