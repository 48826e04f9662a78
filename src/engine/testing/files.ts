/**
 * Test support: a fetch that serves files of this checkout, as the Jupyter
 * server serves the extension's static files to the browser.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { FetchLike, IResponseLike } from '../model/load';

export const ROOT = path.resolve(__dirname, '../../..');

/** Serves file:// URLs; missing files answer 404. Records every URL asked. */
export function fileFetch(requests: string[] = []): FetchLike {
  return async url => {
    requests.push(url);
    const file = new URL(url).pathname;
    const exists = fs.existsSync(file);
    const body = exists ? fs.readFileSync(file) : Buffer.alloc(0);
    const response: IResponseLike = {
      ok: exists,
      status: exists ? 200 : 404,
      statusText: exists ? 'OK' : 'Not Found',
      json: async () => JSON.parse(body.toString('utf8')),
      arrayBuffer: async () =>
        body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)
    };
    return response;
  };
}

export function fileUrl(relative: string): string {
  return new URL(`file://${path.join(ROOT, relative)}`).toString();
}
