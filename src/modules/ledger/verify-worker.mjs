// Loads the TypeScript worker through tsx's scoped loader (worker threads do not inherit a loader registered
// with the tsx API, as bin/shuyuan.js does).
import { tsImport } from 'tsx/esm/api';

await tsImport('./verify-worker.ts', import.meta.url);
