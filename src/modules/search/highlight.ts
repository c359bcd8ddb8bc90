// Highlighted snippets for search results: the text is HTML-escaped and every occurrence of a matched
// term is wrapped in <mark>…</mark>. Done in the application on the 10–100 rows of a page (cheaper than
// ts_headline, which would re-parse every text with PostgreSQL's parser and knows nothing of jieba).

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const SPECIAL = /[&<>"']/;

export function escapeHtml(s: string): string {
  // Most names and abstracts have nothing to escape: no replace() (and its callback) for them.
  return SPECIAL.test(s) ? s.replace(/[&<>"']/g, (c) => ESCAPES[c]!) : s;
}

/** A matcher for the terms (longest first), case-insensitive; null when there is nothing to mark. */
export function termPattern(terms: string[]): RegExp | null {
  const list = [...new Set(terms.filter(Boolean))].sort((a, b) => b.length - a.length);
  if (!list.length) return null;
  return new RegExp(list.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'giu');
}

/**
 * `text` escaped with the terms marked. With `maxChars`, a window of about that many characters around the
 * first match (or the start), with an ellipsis where the text was cut.
 */
export function highlight(text: string, pattern: RegExp | null, maxChars?: number): string {
  let start = 0;
  let end = text.length;
  const matches: [number, number][] = [];
  if (pattern) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      if (!m[0]) {
        pattern.lastIndex++;
        continue;
      }
      matches.push([m.index, m.index + m[0].length]);
    }
  }
  if (maxChars && text.length > maxChars) {
    const first = matches[0]?.[0] ?? 0;
    start = Math.max(0, Math.min(first - Math.floor(maxChars / 4), text.length - maxChars));
    end = Math.min(text.length, start + maxChars);
  }
  let out = start > 0 ? '…' : '';
  let pos = start;
  for (const [a, b] of matches) {
    if (b <= pos || a >= end) continue;
    const from = Math.max(a, pos);
    const to = Math.min(b, end);
    out += escapeHtml(text.slice(pos, from)) + '<mark>' + escapeHtml(text.slice(from, to)) + '</mark>';
    pos = to;
  }
  out += escapeHtml(text.slice(pos, end));
  if (end < text.length) out += '…';
  return out;
}
