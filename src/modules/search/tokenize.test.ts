// Unit tests of the tokenizer and the highlighter (no database).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, highlight, termPattern } from './highlight.ts';
import {
  codeTokens,
  documentTokens,
  highlightTerms,
  loadJieba,
  queryWords,
  stem,
  tokenize,
  tsqueryLiteral,
  tsvectorLiteral,
} from './tokenize.ts';

before(async () => {
  await loadJieba();
});

test('documents: jieba search mode gives words and their sub-words; punctuation and emoji are dropped', () => {
  const t = tokenize('杭州市交通运输局，COVID-19 Statistics！😀');
  for (const w of ['杭州', '杭州市', '交通', '运输', '交通运输', '局', 'covid', '19', 'statistic']) assert.ok(t.includes(w), w);
  assert.ok(
    t.every((l) => /^[\p{L}\p{N}]+$/u.test(l)),
    JSON.stringify(t),
  );
});

test('English: lower case, plural endings stemmed, short words and -ss/-us/-is kept', () => {
  assert.equal(stem('statistics'), 'statistic');
  assert.equal(stem('companies'), 'company');
  assert.equal(stem('addresses'), 'address');
  assert.equal(stem('status'), 'status');
  assert.equal(stem('analysis'), 'analysis');
  assert.equal(stem('bus'), 'bus');
  assert.deepEqual(tokenize('Bus LINES'), ['bus', 'line']);
  // Full-width letters and digits are the same as ASCII ones.
  assert.deepEqual(tokenize('ＡＰＩ２０２４'), ['api2024']);
});

test('codes index as a whole and by parts', () => {
  assert.deepEqual(codeTokens('FR-SCJG-00012'), ['frscjg00012', 'fr', 'scjg', '00012']);
});

test('tsvector literal: weights by part, positions in order, lexemes quoted', () => {
  const v = tsvectorLiteral(
    documentTokens({ code: 'FR-SCJG-00001', names: ['企业登记'], keywords: ['企业'], abstracts: ['登记信息'], fieldNames: ['企业名称'] }),
  );
  assert.match(v, /'企业':\d+A,\d+B,\d+D/);
  assert.match(v, /'登记':\d+A,\d+C/);
  assert.match(v, /'企':\d+A/, 'single Han characters of names');
  assert.doesNotMatch(v, /'名':/, 'no single characters outside names');
});

test('queries: syntax characters are text, compounds also match by their parts, the last word is a prefix', () => {
  assert.equal(tsqueryLiteral(queryWords("'; drop table x & y | !z (")), "'drop' & 'table' & 'x' & 'y' & 'z':*");
  assert.equal(tsqueryLiteral(queryWords('():*&|!\\\'"')), null);
  assert.equal(tsqueryLiteral(queryWords('😀')), null);
  assert.equal(tsqueryLiteral(queryWords('运输局')), "( '运输局':* | ( '运输' & '局' ) )");
  assert.equal(tsqueryLiteral(queryWords('交通 企业'), false), "'交通' & '企业'");
  assert.equal(tsqueryLiteral(queryWords('交通'), true, 'A'), "'交通':*A");
  // Stop words are dropped unless nothing else is left.
  assert.deepEqual(
    queryWords('交通的企业').map((w) => w.word),
    ['交通', '企业'],
  );
  assert.deepEqual(
    queryWords('的').map((w) => w.word),
    ['的'],
  );
  // Very long input: bounded number of words and lexeme length.
  const long = queryWords('数据 '.repeat(1000) + 'x'.repeat(5000));
  assert.ok(long.length <= 16);
  assert.ok(long.every((w) => w.word.length <= 60));
});

test('highlight: escapes HTML, marks terms case-insensitively, cuts a snippet around the first match', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const p = termPattern(highlightTerms(queryWords('coral 珊瑚礁')));
  assert.equal(highlight('<b>Coral</b> 珊瑚礁', p), '&lt;b&gt;<mark>Coral</mark>&lt;/b&gt; <mark>珊瑚礁</mark>');
  const text = '甲'.repeat(300) + '珊瑚礁' + '乙'.repeat(300);
  const s = highlight(text, p, 120);
  assert.ok(s.startsWith('…') && s.endsWith('…'));
  assert.ok(s.includes('<mark>珊瑚礁</mark>'));
  assert.ok(s.replace(/<\/?mark>/g, '').length <= 122);
  assert.equal(highlight('no match here', p, 5), 'no ma…');
  assert.equal(highlight('a<b', null), 'a&lt;b');
});
