// Parquet → staging: every top-level column as text (DuckDB's own rendering: ISO dates and times, numbers as
// they print), nested columns as JSON text, binary columns as Base64. Row numbers are the file's row positions.
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral, type DuckEngine } from '../duckdb.ts';
import {
  copyToStaging,
  ingestError,
  normalizeHeader,
  removeQuietly,
  type ProgressFn,
  type StageOptions,
  type StageResult,
} from './common.ts';

interface SchemaElement {
  name: string;
  num_children: number | null;
}

/** Names of the top-level columns, as written (parquet_schema lists the schema tree depth-first). */
function topLevelNames(elements: SchemaElement[]): string[] {
  const names: string[] = [];
  let i = 1;
  const skip = () => {
    const el = elements[i++];
    for (let c = 0; c < (el?.num_children ?? 0); c++) skip();
  };
  const roots = elements[0]?.num_children ?? 0;
  for (let c = 0; c < roots && i < elements.length; c++) {
    names.push(elements[i]!.name);
    skip();
  }
  return names;
}

const NESTED = /^(STRUCT|MAP|UNION)\(|\[\d*\]$/;

export async function stageParquet(
  engine: DuckEngine,
  input: { path: string; fileName: string },
  out: string,
  _opts: StageOptions,
  onProgress?: ProgressFn,
): Promise<StageResult> {
  const file = input.fileName;
  const warnings: string[] = [];
  let con: DuckDBConnection | undefined;
  try {
    con = await engine.connect();
    let raw: string[];
    let described: { column_name: string; column_type: string }[];
    try {
      raw = topLevelNames(
        (
          await con.runAndReadAll(`SELECT name, num_children::INTEGER AS num_children FROM parquet_schema(${quoteLiteral(input.path)})`)
        ).getRowObjectsJS() as unknown as SchemaElement[],
      );
      described = (
        await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${quoteLiteral(input.path)})`)
      ).getRowObjectsJS() as typeof described;
    } catch (err) {
      throw ingestError('FILE_CORRUPT', { file }, { reason: (err as Error).message.split('\n')[0] });
    }
    if (raw.length === 0) throw ingestError('FILE_NO_COLUMNS', { file });
    const columns = normalizeHeader(raw, file);
    const exprs = described.map((d, i) => {
      const c = quoteIdent(d.column_name);
      const t = d.column_type;
      let e: string;
      if (t === 'VARCHAR') e = `nullif(${c}, '')`;
      else if (t === 'BLOB') {
        e = `base64(${c})`;
        if (!warnings.includes('PARQUET_BINARY_BASE64')) warnings.push('PARQUET_BINARY_BASE64');
      } else if (NESTED.test(t)) e = `to_json(${c})::VARCHAR`;
      else e = `CAST(${c} AS VARCHAR)`;
      return `${e} AS ${quoteIdent(columns[i]!)}`;
    });
    let rows: number;
    try {
      rows = await copyToStaging(con, `SELECT ${exprs.join(', ')} FROM read_parquet(${quoteLiteral(input.path)})`, out, 1);
    } catch (err) {
      throw ingestError('FILE_CORRUPT', { file }, { reason: (err as Error).message.split('\n')[0] });
    }
    if (rows === 0) warnings.push('FILE_NO_ROWS');
    onProgress?.(rows);
    return { path: out, format: 'parquet', columns, rows, warnings, rejected: [], rejectedCount: 0 };
  } catch (err) {
    await removeQuietly(out);
    throw err;
  } finally {
    con?.closeSync();
  }
}
