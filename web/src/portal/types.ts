// What the portal pages read from the public API (src/modules/portalweb, src/modules/search).
export interface PortalStats {
  datasets: number;
  rows: number;
  departments: number;
  topics: number;
  reads: number;
}
export interface Department {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  datasets: number;
}
export interface Topic {
  code: string;
  nameZh: string;
  nameEn: string;
  datasets: number;
}
export interface FacetValue {
  value: string;
  label: string;
  count: number;
}
export interface SearchItem {
  id: string;
  code: string;
  nameZh: string;
  nameEn: string;
  abstractZh: string;
  highlight: { name: string; abstract: string };
  org: { id: string; nameZh: string; nameEn: string };
  openMode: 'unconditional' | 'conditional' | 'none';
  releaseDate: string | null;
  updatedAt: string;
  popularity: number;
}
export interface SearchResult {
  items: SearchItem[];
  total: number;
  page: number;
  pageSize: number;
  facets: Record<'org' | 'category' | 'grade' | 'share' | 'open' | 'format' | 'frequency' | 'keyword' | 'license', FacetValue[]>;
}
export interface ByCode {
  id: string;
  code: string;
  datasetId: string | null;
  version: number | null;
}
