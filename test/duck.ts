// A DuckDB engine locked to a fresh scratch directory, for the data-plane unit tests; close() shuts the engine
// and removes the directory.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DuckEngine } from '../src/modules/datasets/duckdb.ts';

export interface ScratchEngine {
  root: string;
  engine: DuckEngine;
  close(): Promise<void>;
}

export async function scratchEngine(prefix: string, opts: { threads?: number; tempDir?: string } = {}): Promise<ScratchEngine> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  const engine = await DuckEngine.open({
    allowedDirs: [root],
    tempDir: path.join(root, opts.tempDir ?? 'tmp'),
    memoryLimit: '256MB',
    threads: opts.threads ?? 2,
  });
  return {
    root,
    engine,
    async close() {
      engine.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}
