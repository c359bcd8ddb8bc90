// The download benches' HTTP client (read, portal), in a child node process: a browser or curl never shares the
// server's event loop, and an in-process client did (its 'data' callbacks ran between the server's reads and
// writes). The child waits for requests on stdin, one JSON line each ({ url, headers }), streams each answer to
// nowhere and replies with one JSON line: status, bytes and the milliseconds from sending the request to the
// last byte, timed in the child (no IPC in the figure).
import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';

export interface Downloaded {
  status: number;
  bytes: number;
  ms: number;
}

const CHILD = `
import http from 'node:http';
import readline from 'node:readline';
const get = (url, headers) => new Promise((resolve) => {
  const t0 = performance.now();
  const req = http.get(url, { headers, agent: false }, (res) => {
    let bytes = 0;
    res.on('data', (d) => (bytes += d.length));
    res.on('end', () => resolve({ status: res.statusCode, bytes, ms: performance.now() - t0 }));
    res.on('error', (e) => resolve({ status: 0, bytes, ms: performance.now() - t0, error: String(e) }));
  });
  req.on('error', (e) => resolve({ status: 0, bytes: 0, ms: performance.now() - t0, error: String(e) }));
});
for await (const line of readline.createInterface({ input: process.stdin })) {
  const { id, url, headers } = JSON.parse(line);
  get(url, headers).then((r) => process.stdout.write(JSON.stringify({ id, ...r }) + '\\n'));
}
`;

/** A download client in its own process; several requests may run at once. close() ends it. */
export function downloadClient(): { get(url: string, headers?: Record<string, string>): Promise<Downloaded>; close(): void } {
  const child: ChildProcess = spawn(process.execPath, ['--input-type=module', '-e', CHILD], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting = new Map<number, (d: Downloaded) => void>();
  let next = 0;
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    const r = JSON.parse(line) as Downloaded & { id: number; error?: string };
    if (r.error) console.error(`download client: ${r.error}`);
    waiting.get(r.id)?.({ status: r.status, bytes: r.bytes, ms: r.ms });
    waiting.delete(r.id);
  });
  return {
    get(url, headers = {}) {
      const id = next++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        child.stdin!.write(`${JSON.stringify({ id, url, headers })}\n`);
      });
    },
    close() {
      child.stdin!.end();
    },
  };
}
