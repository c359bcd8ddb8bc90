// The openness scores (issue 7 §9) on hand-built facts: every MQA indicator counts, distributions count by share,
// the bands and the 5-star levels follow their definitions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatName, isOpenLicence, mqa, stars, type DatasetFacts, type DistributionFacts } from './score.ts';

const file = (format: string, over: Partial<DistributionFacts> = {}): DistributionFacts => ({
  format,
  hasDownloadUrl: true,
  reachable: true,
  hasMediaType: true,
  hasByteSize: true,
  ...over,
});

const full: DatasetFacts = {
  keywords: 3,
  hasTheme: true,
  hasSpatial: true,
  hasTemporal: true,
  distributions: [file('csv'), file('json'), file('parquet')],
  licence: 'CC BY 4.0',
  hasAccessRights: true,
  hasContactPoint: true,
  hasPublisher: true,
  hasRights: true,
  hasIssued: true,
  hasModified: true,
  dcatConformant: true,
};

test('a fully described dataset with open files scores all 405 points, excellent, ★★★', () => {
  const s = mqa(full);
  assert.equal(s.total, 405);
  assert.equal(s.rating, 'excellent');
  assert.deepEqual(Object.fromEntries(Object.entries(s.dimensions).map(([k, d]) => [k, [d.points, d.max]])), {
    findability: [100, 100],
    accessibility: [100, 100],
    interoperability: [110, 110],
    reusability: [75, 75],
    contextuality: [20, 20],
  });
  assert.equal(stars(full), 3);
});

test('each missing piece costs exactly its MQA weight', () => {
  const cases: Array<[Partial<DatasetFacts>, number]> = [
    [{ keywords: 0 }, 30],
    [{ hasTheme: false }, 30],
    [{ hasSpatial: false, hasTemporal: false }, 40],
    [{ licence: '' }, 30], // licence 20 + vocabulary 10
    [{ licence: '本单位数据使用条款' }, 10], // a licence, not a recognized open one
    [{ hasContactPoint: false }, 20],
    [{ dcatConformant: false }, 30],
    [{ hasRights: false, hasIssued: false }, 10],
  ];
  for (const [over, lost] of cases) assert.equal(405 - mqa({ ...full, ...over }).total, lost, JSON.stringify(over));
});

test('distribution indicators count the share of distributions that satisfy them', () => {
  // One XLSX and one PDF: half machine-readable, none non-proprietary; harvested links unchecked → no reachability.
  const s = mqa({ ...full, distributions: [file('xlsx', { reachable: null }), file('pdf', { reachable: null, hasByteSize: false })] });
  const points = (dim: keyof typeof s.dimensions, key: string) => s.dimensions[dim].indicators.find((i) => i.key === key)!.points;
  assert.equal(points('accessibility', 'accessUrlReachable'), 0);
  assert.equal(points('accessibility', 'downloadUrl'), 20);
  assert.equal(points('interoperability', 'machineReadable'), 10);
  assert.equal(points('interoperability', 'nonProprietary'), 0);
  assert.equal(points('contextuality', 'byteSize'), 3); // round(5 × ½)
  // No files at all: nothing in accessibility, only the DCAT points in interoperability.
  const none = mqa({ ...full, distributions: [] });
  assert.equal(none.dimensions.accessibility.points, 0);
  assert.equal(none.dimensions.interoperability.points, 30);
  assert.equal(none.total, 220); // 100 + 0 + 30 + 75 + 15
  assert.equal(none.rating, 'sufficient');
});

test('rating bands: 351 excellent, 221 good, 121 sufficient, below bad', () => {
  const bare: DatasetFacts = {
    ...full,
    keywords: 0,
    hasTheme: false,
    hasSpatial: false,
    hasTemporal: false,
    distributions: [],
    licence: '',
    hasAccessRights: false,
    hasContactPoint: false,
    hasPublisher: false,
    hasRights: false,
    hasIssued: false,
    hasModified: false,
    dcatConformant: false,
  };
  assert.equal(mqa(bare).total, 0);
  assert.equal(mqa(bare).rating, 'bad');
  assert.equal(
    mqa({ ...bare, hasPublisher: true, hasContactPoint: true, keywords: 1, hasTheme: true, dcatConformant: true, hasAccessRights: true })
      .rating,
    'sufficient',
  );
});

test('5 stars: none without an open licence or a file; RDF reaches ★★★★; the best distribution counts', () => {
  assert.equal(stars({ ...full, licence: '' }), 0);
  assert.equal(stars({ ...full, distributions: [] }), 0);
  assert.equal(stars({ ...full, distributions: [file('pdf')] }), 1);
  assert.equal(stars({ ...full, distributions: [file('pdf'), file('xlsx')] }), 2);
  assert.equal(stars({ ...full, distributions: [file('xlsx'), file('text/csv')] }), 3);
  assert.equal(stars({ ...full, distributions: [file('csv'), file('text/turtle')] }), 4);
  assert.equal(formatName('http://publications.europa.eu/resource/authority/file-type/CSV'), 'csv');
  assert.equal(formatName('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'), 'xlsx');
  assert.ok(isOpenLicence('示范市公共数据开放许可协议'));
  assert.ok(!isOpenLicence('仅限内部使用'));
});
