// JSON (an array of objects, or concatenated objects) and NDJSON → staging, read by DuckDB (read_json_objects).
// A JS pass over the bytes first checks the nesting depth (deeper than 32 → JSON_TOO_DEEP with the line: DuckDB
// would recurse over it) and counts records for progress. DuckDB then gathers the structure of all records in
// one aggregate (json_group_structure) and the COPY extracts one column per key path: nested objects flatten to
// `a.b` names down to LIMITS.jsonFlattenDepth, arrays and deeper objects stay JSON text, numbers keep their
// digits (20-digit numbers are not rounded), "" is empty.
import fsp from 'node:fs/promises';
import type { DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral, type DuckEngine } from '../duckdb.ts';
import {
  copyToStaging,
  ingestError,
  LIMITS,
  linesOfOffsets,
  normalizeHeader,
  removeQuietly,
  type BadRow,
  type ProgressFn,
  type StageOptions,
  type StageResult,
} from './common.ts';
import { detectEncoding, type Head } from './detect.ts';
import { utf8Source } from './transcode.ts';

type Container = 'array' | 'values';

interface JsonScan {
  container: Container;
  records: number;
  /** When `locate` was asked: where that record (0-based) starts. */
  located?: number;
}

/** Depth check and record count, byte by byte; with `locate`, stops at the start of that record. */
export async function scanJson(file: string, maxDepth: number, name: string, onProgress?: ProgressFn, locate?: number): Promise<JsonScan> {
  const fd = await fsp.open(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let pos = 0;
  let container: Container | undefined;
  let depth = 0;
  let inString = false;
  let escape = false;
  let line = 1;
  let records = 0;
  let atValueStart = true;
  let inScalar = false;
  try {
    for (;;) {
      const { bytesRead: n } = await fd.read(buf, 0, buf.length, pos);
      if (n === 0) break;
      for (let i = 0; i < n; i++) {
        const b = buf[i]!;
        if (inString) {
          if (escape) escape = false;
          else if (b === 0x5c) escape = true;
          else if (b === 0x22) inString = false;
          else if (b === 0x0a) line++;
          continue;
        }
        if (b === 0x0a) line++;
        const ws = b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || (pos === 0 && i < 3 && (b === 0xef || b === 0xbb || b === 0xbf));
        if (container === undefined) {
          if (ws) continue;
          container = b === 0x5b ? 'array' : 'values';
          if (container === 'array') {
            depth = 1;
            continue;
          }
        }
        const base = container === 'array' ? 1 : 0;
        if (ws) {
          inScalar = false;
          continue;
        }
        if (depth === base) {
          if (b === 0x2c /* , */) {
            atValueStart = true;
            inScalar = false;
            continue;
          }
          if (container === 'array' && b === 0x5d /* ] */) {
            depth--;
            continue;
          }
          if ((atValueStart || container === 'values') && !inScalar) {
            if (locate === records) return { container, records, located: pos + i };
            records++;
            atValueStart = false;
            if (records % 65536 === 0) onProgress?.(records);
          }
        }
        if (b === 0x22) {
          inString = true;
          continue;
        }
        if (b === 0x7b || b === 0x5b) {
          depth++;
          inScalar = false;
          if (depth - base > maxDepth) throw ingestError('JSON_TOO_DEEP', { file: name, line }, { max: maxDepth });
        } else if (b === 0x7d || b === 0x5d) {
          depth--;
          inScalar = false;
        } else if (depth === base) inScalar = true;
      }
      pos += n;
    }
  } finally {
    await fd.close();
  }
  return { container: container ?? 'values', records };
}

interface Leaf {
  name: string;
  pointer: string;
}

/** Key tree of all records: an object where every non-null occurrence is an object; anything else is a leaf. */
type Node = { kind: 'object'; children: Map<string, Node> } | { kind: 'leaf' } | { kind: 'null' };

/** Merges one record's json_structure() into the tree (keys keep their first-seen order). */
export function mergeStructure(node: Node, s: unknown): Node {
  const isObject = s !== null && typeof s === 'object' && !Array.isArray(s);
  if (s === 'NULL') return node;
  if (!isObject) return { kind: 'leaf' };
  if (node.kind === 'leaf') return node;
  const children = node.kind === 'object' ? node.children : new Map<string, Node>();
  for (const [k, v] of Object.entries(s as Record<string, unknown>))
    children.set(k, mergeStructure(children.get(k) ?? { kind: 'null' }, v));
  return { kind: 'object', children };
}

/** Column paths of the merged tree, flattened down to `maxDepth` levels. */
export function flatten(root: Node, maxDepth: number): Leaf[] {
  const out: Leaf[] = [];
  const walk = (node: Node, keys: string[]) => {
    if (node.kind === 'object' && node.children.size > 0 && (keys.length < maxDepth || keys.length === 0)) {
      for (const [k, v] of node.children) walk(v, [...keys, k]);
      return;
    }
    if (keys.length === 0) return;
    out.push({ name: keys.join('.'), pointer: '/' + keys.map((k) => k.replaceAll('~', '~0').replaceAll('/', '~1')).join('/') });
  };
  walk(root, []);
  return out;
}

/** DuckDB's "Malformed JSON … at byte B in line L / record/value V" → JSON_INVALID with the source line. */
async function mapJsonError(err: unknown, src: string, name: string): Promise<unknown> {
  const msg = err instanceof Error ? err.message : String(err);
  const m = /Malformed JSON in file .*?, at byte (\d+) in (line|record\/value) (\d+): ([^\n]*)/.exec(msg);
  const big = /maximum_object_size|exceeds the maximum object size/i.exec(msg);
  if (!m && !big) return err;
  if (big) return ingestError('JSON_INVALID', { file: name, line: 1 }, { reason: 'a record is larger than the maximum object size' });
  const reason = m![4]!.trim().replace(/\.$/, '');
  // DuckDB numbers records from 2 for the first (as "line" for NDJSON, "record/value" otherwise); the byte is
  // counted from the record's first byte (1-based). Blank lines are not counted: locate the record ourselves.
  const index = Math.max(0, Number(m![3]) - 2);
  const at = await scanJson(src, Number.MAX_SAFE_INTEGER, name, undefined, index);
  const offset = (at.located ?? 0) + Math.max(0, Number(m![1]) - 1);
  const [line] = await linesOfOffsets(src, [offset]);
  return ingestError('JSON_INVALID', { file: name, line: line! }, { reason });
}

export async function stageJson(
  engine: DuckEngine,
  input: { path: string; fileName: string },
  out: string,
  opts: StageOptions,
  head: Head,
  ndjson: boolean,
  onProgress?: ProgressFn,
): Promise<StageResult> {
  const file = input.fileName;
  const warnings: string[] = [];
  const enc = detectEncoding(file, head, opts.encoding);
  let src: string;
  let utf8Copy: string | undefined;
  let con: DuckDBConnection | undefined;
  try {
    ({ src, copy: utf8Copy } = await utf8Source(input.path, out, enc.encoding, file, 'utf8.json'));
    const scan = await scanJson(src, LIMITS.maxJsonDepth, file, onProgress);
    const format = scan.container === 'array' ? 'array' : ndjson ? 'newline_delimited' : 'unstructured';
    const from = `read_json_objects(${quoteLiteral(src)}, format = ${quoteLiteral(format)})`;
    con = await engine.connect();
    // One pass over the records: their distinct top-level key lists (json_keys, cheap) and, only for records that
    // may nest (a '{' after the first character), their full structure (json_structure, costly); how many records
    // are not objects. Shapes are merged most common first (deterministic, no row_number window: it would make
    // the pass single-threaded).
    let shapes: { t: string; k: string[] | null; s: string | null; n: number }[];
    try {
      shapes = (
        await con.runAndReadAll(
          `SELECT t, CASE WHEN t = 'OBJECT' THEN json_keys(json) END AS k, ` +
            `CASE WHEN t = 'OBJECT' AND contains(substr(json::VARCHAR, 2), '{') THEN json_structure(json)::VARCHAR END AS s, count(*)::INTEGER AS n ` +
            `FROM (SELECT json, json_type(json) AS t FROM ${from}) GROUP BY ALL ORDER BY n DESC, t, k, s`,
        )
      ).getRowObjectsJS() as typeof shapes;
    } catch (err) {
      throw await mapJsonError(err, src, file);
    }
    const bad = shapes.filter((r) => r.t !== 'OBJECT').reduce((a, r) => a + r.n, 0);
    const policy = opts.badRows ?? 'reject';
    if (bad > 0 && policy === 'reject') {
      const [first] = (
        await con.runAndReadAll(
          `SELECT min(rn)::INTEGER AS rn FROM (SELECT row_number() OVER () AS rn, json_type(json) AS t FROM ${from}) WHERE t <> 'OBJECT'`,
        )
      ).getRowObjectsJS() as { rn: number }[];
      throw ingestError('JSON_NOT_RECORDS', { file, row: first!.rn });
    }
    // Column order: the keys of the first records in file order (a LIMIT reads only the start), then the others.
    const firstKeys = (
      (
        await con.runAndReadAll(`SELECT json_keys(json) AS k FROM ${from} WHERE json_type(json) = 'OBJECT' LIMIT 100`)
      ).getRowObjectsJS() as {
        k: string[];
      }[]
    ).flatMap((r) => r.k);
    let tree: Node = mergeStructure({ kind: 'null' }, Object.fromEntries(firstKeys.map((k) => [k, 'NULL'])));
    const flatKeys = new Set<string>();
    for (const r of shapes) {
      if (r.t !== 'OBJECT') continue;
      if (r.s !== null) tree = mergeStructure(tree, JSON.parse(r.s));
      else {
        // a record without nested objects: its values are scalars, arrays or null — not known which here
        for (const k of r.k ?? []) flatKeys.add(k);
        tree = mergeStructure(tree, Object.fromEntries((r.k ?? []).map((k) => [k, 'NULL'])));
      }
    }
    // A key that is an object in some records and may be a scalar in a flat one: if it is, keep it as JSON text.
    if (tree.kind === 'object') {
      const suspects = [...tree.children].filter(([k, node]) => node.kind === 'object' && flatKeys.has(k)).map(([k]) => k);
      if (suspects.length > 0) {
        const ptr = (k: string) => quoteLiteral('/' + k.replaceAll('~', '~0').replaceAll('/', '~1'));
        const [mixed] = (
          await con.runAndReadAll(
            `SELECT ${suspects.map((k, i) => `count(*) FILTER (WHERE json_type(json, ${ptr(k)}) NOT IN ('OBJECT', 'NULL'))::INTEGER AS m${i}`).join(', ')} FROM ${from}`,
          )
        ).getRowObjectsJS() as Record<string, number>[];
        suspects.forEach((k, i) => {
          if (mixed![`m${i}`]! > 0) (tree as { children: Map<string, Node> }).children.set(k, { kind: 'leaf' });
        });
      }
    }
    const leaves = flatten(tree, LIMITS.jsonFlattenDepth);
    if (leaves.length === 0) throw ingestError('FILE_NO_COLUMNS', { file });
    const columns = normalizeHeader(
      leaves.map((l) => l.name),
      file,
    );
    // One parse per record: json_extract_string with the list of paths.
    const paths = `[${leaves.map((l) => quoteLiteral(l.pointer)).join(', ')}]`;
    const cols = leaves.map((_, i) => `nullif(e[${i + 1}], '') AS ${quoteIdent(columns[i]!)}`).join(', ');
    const info = { bad };
    const rejected: BadRow[] = [];
    let rows: number;
    try {
      if (info.bad === 0)
        rows = await copyToStaging(con, `SELECT ${cols} FROM (SELECT json_extract_string(json, ${paths}) AS e FROM ${from})`, out, 1);
      else {
        rows = await copyToStaging(
          con,
          `SELECT rn AS _row, ${cols} FROM (SELECT rn, json_extract_string(json, ${paths}) AS e FROM ` +
            `(SELECT row_number() OVER () AS rn, json FROM ${from}) WHERE json_type(json) = 'OBJECT') ORDER BY _row`,
          out,
        );
        const list = (
          await con.runAndReadAll(
            `SELECT rn::INTEGER AS rn, left(json::VARCHAR, 500) AS v FROM (SELECT row_number() OVER () AS rn, json FROM ${from}) ` +
              `WHERE json_type(json) <> 'OBJECT' ORDER BY rn LIMIT ${LIMITS.maxListedBadRows}`,
          )
        ).getRowObjectsJS() as { rn: number; v: string }[];
        for (const r of list) rejected.push({ row: r.rn, value: r.v, reason: 'ROW_NOT_OBJECT' });
      }
    } catch (err) {
      throw await mapJsonError(err, src, file);
    }
    if (rows === 0) warnings.push('FILE_NO_ROWS');
    onProgress?.(rows);
    return {
      path: out,
      format: format === 'newline_delimited' ? 'ndjson' : 'json',
      encoding: enc.encoding,
      columns,
      rows,
      warnings,
      rejected,
      rejectedCount: info.bad,
    };
  } catch (err) {
    await removeQuietly(out);
    throw err;
  } finally {
    con?.closeSync();
    await removeQuietly(utf8Copy);
  }
}
