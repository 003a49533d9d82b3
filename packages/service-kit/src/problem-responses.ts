import { STATUS_CODES } from 'node:http';
import Type from 'typebox';
import { PROBLEM_CONTENT_TYPE, ProblemDetailsSchema } from './problem-details.js';

/** {@link ProblemDetailsSchema} under a name, so an OpenAPI document shows one `Problem` component. */
export const ProblemSchema = Type.Object(ProblemDetailsSchema.properties, { $id: 'Problem', title: 'Problem', description: 'RFC 9457 problem details.' });

/**
 * Route `response` entries for the errors a route can answer, each described by why it happens, as
 * application/problem+json: `{ ...problemResponses({ 404: 'No such photo.' }) }`. The schema also
 * serializes the answer (every field of ProblemDetails is listed, so nothing is dropped).
 */
export function problemResponses(why: Record<number, string>) {
  const responses: Record<number, { description: string; content: Record<string, { schema: typeof ProblemSchema }> }> = {};
  for (const [status, description] of Object.entries(why)) {
    responses[Number(status)] = {
      description: `${STATUS_CODES[Number(status)] ?? 'Error'}: ${description}`,
      content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
    };
  }
  return responses;
}
