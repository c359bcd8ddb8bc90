// STUB — registration tables (filled in by the registration module).
export interface RegistrationTables {}
