// STUB — jobs/calendar/notification tables.
export interface JobsTables {}
