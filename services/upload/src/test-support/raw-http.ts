/**
 * A raw HTTP/1.1 client for tests that must send what no well-behaved client would: bodies cut short,
 * broken multipart framing, bytes dribbled one at a time. It writes exactly the bytes given and reads
 * one response off the socket.
 */
import { connect, type Socket } from 'node:net';

/** One response as read off the socket. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A connection with one request on it, written by the caller. */
export interface RawExchange {
  socket: Socket;
  /** The first complete response, or `undefined` when the connection closed without one. */
  response: Promise<RawResponse | undefined>;
  /** Settles when the connection is closed, by either side. */
  closed: Promise<void>;
  /** Writes, waiting for the socket to drain; resolves false once the connection is gone. */
  write(bytes: Buffer | string): Promise<boolean>;
}

/** Opens a connection to 127.0.0.1:`port`; write the request with {@link RawExchange.write}. */
export function rawExchange(port: number): RawExchange {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined); // the server may close on us mid-write: that is the point
  let received = Buffer.alloc(0);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const response = new Promise<RawResponse | undefined>((resolve) => {
    const parse = () => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine = '', ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? Number.NaN);
      const body = received.subarray(end + 4);
      if (Number.isNaN(length) || body.length < length) return;
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: body.subarray(0, length).toString('utf8') });
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      parse();
    });
    socket.once('close', () => resolve(undefined));
  });
  const write = async (bytes: Buffer | string) => {
    if (socket.destroyed || socket.writableEnded) return false;
    if (socket.write(bytes)) return true;
    await new Promise<void>((resolve) => {
      const done = () => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
    return !socket.destroyed;
  };
  return { socket, response, closed, write };
}

/** Sends a whole request at once and reads the response; the connection is closed afterwards. */
export async function sendRaw(port: number, request: Buffer | string): Promise<RawResponse | undefined> {
  const exchange = rawExchange(port);
  await exchange.write(request);
  const response = await exchange.response;
  exchange.socket.destroy();
  return response;
}

/** The head of a POST whose body is `bodyLength` bytes long (or chunked, when `bodyLength` is `'chunked'`). */
export function postHead(path: string, headers: Record<string, string>, bodyLength: number | 'chunked'): string {
  const lines = [`POST ${path} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(bodyLength === 'chunked' ? 'Transfer-Encoding: chunked' : `Content-Length: ${bodyLength}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The opening of one multipart part: delimiter and headers. Its content follows, then `\r\n`. */
export function partHead(boundary: string, field: string, filename: string, contentType = 'image/jpeg'): string {
  return `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\n` + `Content-Type: ${contentType}\r\n\r\n`;
}

/** A whole file part, content and trailing line break included. */
export function filePart(boundary: string, filename: string, bytes: Buffer, field = 'file'): Buffer {
  return Buffer.concat([Buffer.from(partHead(boundary, field, filename)), bytes, Buffer.from('\r\n')]);
}

/** The closing delimiter of a multipart body. */
export const closingDelimiter = (boundary: string): string => `--${boundary}--\r\n`;
