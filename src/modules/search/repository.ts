// STUB — search tables (filled in by the search module).
export interface SearchTables {}
