// Keys kept as files in the data directory (<dataDir>/keys): 32 random bytes as base64, mode 0600, created on
// first use. Two processes starting at once agree on one key: exactly one creates the file ('wx'), the other
// reads it (waiting briefly if it catches the file between creation and write).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export async function loadOrCreateKey(file: string): Promise<Buffer> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await fs.writeFile(file, randomBytes(32).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  for (let attempt = 0; ; attempt++) {
    const key = Buffer.from((await fs.readFile(file, 'utf8')).trim(), 'base64');
    if (key.length === 32) return key;
    if (attempt >= 20) throw new Error(`${file} does not hold a 32-byte base64 key`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A key file loaded once per process (a failed load is retried on the next call). */
export class KeyFile {
  #key: Promise<Buffer> | null = null;
  constructor(readonly file: string) {}

  key(): Promise<Buffer> {
    return (this.#key ??= loadOrCreateKey(this.file).catch((e: unknown) => {
      this.#key = null;
      throw e;
    }));
  }
}
