// Parameter handling of the CKAN Action API the way CKAN's validators do it (ckan/logic/validators.py,
// ckan/logic/schema.py): integers as numbers or numeric strings, 'Invalid integer' / 'Must be a natural number',
// numbers above the configured maximum clamped (limit_to_configured_maximum), lists as JSON strings or arrays.

/** A CKAN action's input: GET query string values (string or repeated strings) or a POST JSON object. */
export type CkanParams = Record<string, unknown>;

/** An error CKAN's API view answers with: the status and the `error` object (or, for 400, a bare message). */
export class CkanError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 409 | 500,
    /** `__type` of the error object; null: CKAN's bare "Bad request - …" string. */
    readonly type: 'Not Found Error' | 'Validation Error' | 'Authorization Error' | 'Search Error' | null,
    /** Message key (messages.ts) and its values, for Not Found / Authorization errors. */
    readonly messageKey: string | null,
    readonly messageParams: Record<string, unknown> = {},
    /** Validation Error: field → CKAN's messages. Bad request: the text after "Bad request - ". */
    readonly fields: Record<string, string[]> = {},
    readonly text = '',
  ) {
    super(messageKey ?? type ?? text);
  }
}

export const notFound = (key = 'CKAN_NOT_FOUND', params: Record<string, unknown> = {}) =>
  new CkanError(404, 'Not Found Error', key, params);
export const invalid = (fields: Record<string, string[]>) => new CkanError(409, 'Validation Error', null, {}, fields);
export const badRequest = (text: string) => new CkanError(400, null, null, {}, {}, text);

/** A parameter as given (a GET parameter repeated is a list of strings, as in CKAN's request parsing). */
export function one(p: CkanParams, key: string): unknown {
  return Object.hasOwn(p, key) ? p[key] : undefined;
}

/** CKAN's natural_number_validator (+ default, + limit_to_configured_maximum). */
export function natural(p: CkanParams, key: string, opts: { def?: number; max?: number } = {}): number | undefined {
  const v = one(p, key);
  if (v === undefined || v === null || v === '') return opts.def;
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) n = Number(v);
  else throw invalid({ [key]: ['Invalid integer'] });
  if (!Number.isInteger(n)) throw invalid({ [key]: ['Invalid integer'] });
  if (n < 0) throw invalid({ [key]: ['Must be a natural number'] });
  if (!Number.isSafeInteger(n)) n = Number.MAX_SAFE_INTEGER;
  return opts.max !== undefined ? Math.min(n, opts.max) : n;
}

/** CKAN's boolean_validator (asbool): true/false, yes/no, on/off, 1/0, y/n, t/f. */
export function bool(p: CkanParams, key: string, def: boolean): boolean {
  const v = one(p, key);
  if (v === undefined || v === null || v === '') return def;
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['true', 'yes', 'on', 'y', 't', '1'].includes(s)) return true;
  if (['false', 'no', 'off', 'n', 'f', '0'].includes(s)) return false;
  throw invalid({ [key]: ['Value must be one of: true, false'] });
}

export function str(p: CkanParams, key: string, max = 4000): string | undefined {
  const v = one(p, key);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw invalid({ [key]: ['Must be a string'] });
  if (v.length > max) throw invalid({ [key]: [`Must be at most ${max} characters long`] });
  return v;
}

/** A list given as an array, a JSON array string, or (listOk) a comma-separated string. */
export function list(p: CkanParams, key: string, opts: { commaSeparated?: boolean; max?: number } = {}): string[] | undefined {
  let v = one(p, key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t.startsWith('[')) {
      try {
        v = JSON.parse(t);
      } catch {
        throw invalid({ [key]: ['Cannot parse JSON'] });
      }
    } else if (opts.commaSeparated) {
      v = t
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    } else {
      v = [t];
    }
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalid({ [key]: ['Not a list of strings'] });
  if (v.length > (opts.max ?? 100)) throw invalid({ [key]: [`At most ${opts.max ?? 100} items`] });
  return v as string[];
}

/** A JSON object given as an object or a JSON string (CKAN's json_validator). */
export function object(p: CkanParams, key: string): Record<string, unknown> | undefined {
  let v = one(p, key);
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      throw invalid({ [key]: ['Cannot parse JSON'] });
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid({ [key]: ['Not a JSON object'] });
  return v as Record<string, unknown>;
}

/** CKAN's `__junk` check: parameters the action does not know are refused. */
export function noJunk(p: CkanParams, known: readonly string[]): void {
  const junk = Object.keys(p).filter((k) => !known.includes(k) && k !== 'callback' && k !== '_');
  if (junk.length) throw invalid({ __junk: [`The input field __junk was not expected.`] });
}
