// STUB — elements tables (filled in by the elements module).
export interface ElementsTables {}
