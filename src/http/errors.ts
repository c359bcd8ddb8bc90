// The one error body and its mapping from every kind of failure a request can meet.
import { Type } from 'typebox';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { pickLang, translate } from '../i18n/messages.ts';

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, e.g. AUTH_INVALID_CREDENTIALS' }),
      message: Type.String({ description: 'Human-readable message in the language of Accept-Language (zh-CN default, en)' }),
      details: Type.Optional(Type.Unknown({ description: 'Where and why: field, row, line, allowed values, lockout end, …' })),
    }),
  },
  { $id: 'ErrorBody', title: 'ErrorBody' },
);

/** Statuses every route may answer with; added to every route's documented responses. */
export const STANDARD_ERROR_STATUSES: Record<number, string> = {
  400: 'Bad request: malformed JSON or invalid parameters (code + details name the field)',
  401: 'Not authenticated, bad credentials, or a bad/expired/replayed API signature',
  403: 'Authenticated but not allowed (authorization denied)',
  404: 'No such object or route',
  409: 'Conflict with the current state (stale version, duplicate, disallowed transition)',
  413: 'Request body larger than the configured limit',
  429: 'Rate limited; see the Retry-After header',
  500: 'Internal error (the request id is in the message and the x-request-id header)',
};

export interface Mapped {
  status: number;
  code: string;
  params: Record<string, unknown>;
  details?: unknown;
}

export function mapError(err: FastifyError | AppError | Error, req: FastifyRequest, bodyLimit: number): Mapped {
  if (err instanceof AppError) return { status: err.status, code: err.code, params: err.params, details: err.details };
  const fe = err as FastifyError & { validation?: unknown[]; validationContext?: string };
  if (fe.validation) {
    return {
      status: 400,
      code: 'VALIDATION_FAILED',
      params: { detail: fe.message },
      details: { in: fe.validationContext, errors: fe.validation },
    };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'MALFORMED_JSON', params: {} };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', params: { limit: bodyLimit } };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', params: {} };
  }
  if (fe instanceof SyntaxError && fe.statusCode === 400) return { status: 400, code: 'MALFORMED_JSON', params: {} };
  if (fe.statusCode === 429)
    return {
      status: 429,
      code: 'RATE_LIMITED',
      params: { retryAfter: (req as { rateLimitRetryAfter?: number }).rateLimitRetryAfter ?? 60 },
    };
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: fe.statusCode === 404 ? 'NOT_FOUND' : 'BAD_REQUEST', params: {} };
  }
  return { status: 500, code: 'INTERNAL', params: { requestId: req.id } };
}

export function errorHandler(bodyLimit: number) {
  return function handle(err: FastifyError | AppError | Error, req: FastifyRequest, reply: FastifyReply) {
    const m = mapError(err, req, bodyLimit);
    if (m.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: m.code, status: m.status }, 'request refused');
    const lang = pickLang(req.headers['accept-language']);
    const body: { error: { code: string; message: string; details?: unknown } } = {
      error: { code: m.code, message: translate(m.code, lang, m.params) },
    };
    if (m.details !== undefined) body.error.details = m.details;
    return reply.status(m.status).type('application/json; charset=utf-8').send(body);
  };
}

export function sendError(req: FastifyRequest, reply: FastifyReply, err: AppError) {
  return errorHandler(0)(err, req, reply);
}
