/**
 * One raw HTTP/1.1 request, for the security specs of every service: they send what a client library
 * would refuse to (oversized headers, bad framing, odd methods), read the answer off the socket and check it.
 */
import { connect } from 'node:net';
import { expect } from 'vitest';
import { PROBLEM_SECURITY_HEADERS } from '../problem-details.js';

/** One response as read off the socket. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `request` as is on a new connection to 127.0.0.1:`port` and reads the answer until the server closes it. */
export function raw(port: number, request: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return reject(new Error(`no answer: ${JSON.stringify(received)}`));
      const [statusLine = '', ...lines] = received.slice(0, end).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: Buffer.from(received.slice(end + 4), 'latin1').toString('utf8') });
    });
  });
}

/** A problem+json answer of `status`, with the security headers and no stack trace. */
export function expectProblem(response: RawResponse, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(response.body)).toMatchObject({ status });
  for (const name of Object.keys(PROBLEM_SECURITY_HEADERS)) expect(response.headers[name], name).toBeDefined();
  expect(response.body).not.toMatch(/at .*\.[jt]s:\d+/);
}
