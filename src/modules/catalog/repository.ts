// STUB — catalog tables (filled in by the catalog module).
export interface CatalogTables {}
