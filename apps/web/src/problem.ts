import type { Problem } from './types';

/** Messages for answers that carry no problem+json body (proxies, aborted streams, the network). */
const FALLBACK: Record<number, string> = {
  0: 'The network connection failed. Check your connection and try again.',
  400: 'The request was not valid.',
  401: 'You are not logged in, or your session has expired.',
  403: 'You are not allowed to do that.',
  404: 'Not found.',
  409: 'That conflicts with something that already exists.',
  413: 'The file is too large.',
  415: 'This file type is not supported.',
  422: 'The file could not be accepted.',
  429: 'Too many requests. Wait a minute and try again.',
};

/** An API call that did not succeed: the HTTP status and the server's explanation. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail ?? fallbackMessage(status));
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }
}

export function fallbackMessage(status: number): string {
  return FALLBACK[status] ?? (status >= 500 ? 'The server could not complete the request. Try again later.' : `The request failed (HTTP ${status}).`);
}

/** Reads an error body: problem+json (or any JSON with `detail`), else the status's generic message. */
export function problemFrom(status: number, body: string, contentType: string | null): Problem {
  if (body && (contentType ?? '').includes('json')) {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed && typeof parsed === 'object') {
        const problem = parsed as Problem;
        if (typeof problem.detail === 'string' && problem.detail.trim()) return problem;
        return { ...problem, detail: problem.title ?? fallbackMessage(status) };
      }
    } catch {
      // Not JSON after all: fall through to the generic message.
    }
  }
  return { status, detail: fallbackMessage(status) };
}

/** The message to show for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong.';
}
