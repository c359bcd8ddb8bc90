// One error type for the whole platform. The HTTP layer maps it to
// { "error": { "code", "message", "details" } } with the message in the caller's language.
export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly status: number,
    readonly code: string,
    /** Values substituted into the message template of `code` (see src/i18n/messages.ts). */
    readonly params: Record<string, unknown> = {},
    /** Machine-readable details: the field, row or line at fault, allowed transitions, … */
    readonly details?: unknown,
  ) {
    super(code);
  }
}

export const badRequest = (code = 'BAD_REQUEST', params?: Record<string, unknown>, details?: unknown) =>
  new AppError(400, code, params, details);
export const unauthenticated = (code = 'UNAUTHENTICATED', params?: Record<string, unknown>, details?: unknown) =>
  new AppError(401, code, params, details);
export const forbidden = (code = 'FORBIDDEN', params?: Record<string, unknown>, details?: unknown) =>
  new AppError(403, code, params, details);
export const notFound = (code = 'NOT_FOUND', params?: Record<string, unknown>, details?: unknown) =>
  new AppError(404, code, params, details);
export const conflict = (code = 'CONFLICT', params?: Record<string, unknown>, details?: unknown) =>
  new AppError(409, code, params, details);
