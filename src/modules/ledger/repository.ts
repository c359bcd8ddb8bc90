// STUB — ledger tables.
export interface LedgerTables {}
