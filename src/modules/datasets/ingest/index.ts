// Any supported file → a staging Parquet file (docs/dataplane.md, "Staging"): the type is checked against the
// extension, then the reader of that type runs. On any error nothing is left at `out` (nor any scratch file).
import { type DuckEngine } from '../duckdb.ts';
import { checkStageOptions, type ProgressFn, type StageOptions, type StageResult, type StagingInfo } from './common.ts';
import { checkFileType, readHead } from './detect.ts';
import { directCsv, stageCsv } from './csv.ts';
import { stageJson } from './json.ts';
import { stageParquet } from './parquet.ts';
import { stageXlsx } from './xlsx.ts';

export { listSheets, type SheetInfo } from './xlsx.ts';
export {
  stagingInfo,
  LIMITS,
  ROW_COLUMN,
  type BadRow,
  type BadRowPolicy,
  type StageOptions,
  type StageResult,
  type StagingInfo,
} from './common.ts';

export async function stageFile(
  engine: DuckEngine,
  input: { path: string; fileName: string },
  out: string,
  opts: StageOptions = {},
  onProgress?: ProgressFn,
): Promise<StageResult> {
  for (const p of [input.path, out]) {
    // A programming error, not the user's: the caller must hand DuckDB paths inside its allowed directories.
    if (!engine.allows(p)) throw new Error(`stageFile: ${p} is outside the DuckDB engine's allowed directories`);
  }
  checkStageOptions(opts);
  const head = await readHead(input.path);
  const type = checkFileType(input.fileName, head);
  switch (type.family) {
    case 'text':
      return stageCsv(engine, input, out, opts, head, onProgress);
    case 'xlsx':
      return stageXlsx(engine, input, out, opts, onProgress);
    case 'json':
      return stageJson(engine, input, out, opts, head, type.kind === 'ndjson' || type.format === 'ndjson', onProgress);
    case 'parquet':
      return stageParquet(engine, input, out, opts, onProgress);
  }
}

/** A file DuckDB can read in place, typed by the build directly (no staging file): see directCsv. */
export interface DirectSource extends StagingInfo {
  format: StageResult['format'];
  encoding?: string;
  delimiter?: string;
  /** Rows the file probably has (its size over the line length of its first MBs): for sampling. */
  estimatedRows: number;
}

/**
 * The file as a relation of its staging columns, read in place, when its format allows (UTF-8 CSV/TSV); null
 * otherwise. Bad input is not diagnosed here: a caller that meets any error stages the file (stageFile), which
 * names the line and column.
 */
export async function directSource(
  engine: DuckEngine,
  input: { path: string; fileName: string },
  opts: StageOptions = {},
): Promise<DirectSource | null> {
  if (!engine.allows(input.path)) throw new Error(`directSource: ${input.path} is outside the DuckDB engine's allowed directories`);
  checkStageOptions(opts);
  const head = await readHead(input.path);
  if (checkFileType(input.fileName, head).family !== 'text') return null;
  const d = await directCsv(input, opts, head);
  if (!d) return null;
  let lines = 0;
  for (let at = head.head.indexOf(0x0a); at !== -1; at = head.head.indexOf(0x0a, at + 1)) lines++;
  const estimatedRows = head.truncated ? Math.ceil((head.size * Math.max(1, lines)) / head.head.length) : lines;
  return {
    columns: d.columns,
    from: d.from,
    rowExpr: 'NULL',
    format: d.format,
    encoding: d.encoding,
    delimiter: d.delimiter,
    estimatedRows,
  };
}
