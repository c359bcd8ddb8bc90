// STUB — identity tables.
export interface IdentityTables {}
