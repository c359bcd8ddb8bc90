// Rate limits of the open data portal (issue 7 §1, §5; docs/portal.md "Rate limits and application tokens").
// The @fastify/rate-limit registration in src/http/app.ts asks rateLimitKey() for the bucket of a request and
// rateLimitMax() for that bucket's limit per minute:
//   key:<AppKey>   signed machine calls (x-shuyuan-appkey)                  SHUYUAN_RATE_LIMIT
//   app:<token>    anonymous calls carrying a valid X-App-Token              SHUYUAN_APP_TOKEN_RATE_LIMIT
//   anon:<ip>      anonymous calls to the public read APIs without a token   SHUYUAN_ANON_RATE_LIMIT
//   ip:<ip>        everything else (signed-in users, other routes)           SHUYUAN_RATE_LIMIT
// An X-App-Token that names no live API key is refused (403 APP_TOKEN_INVALID), never silently anonymous.
import type { FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../errors.ts';
import './messages.ts';

export const APP_TOKEN_HEADER = 'x-app-token';

/** The public read APIs that anonymous floods are limited on. */
export const PUBLIC_READ_PATH =
  /^\/(?:resource\/|api\/datasets\/[^/?]+\/(?:download|preview|query)(?:[/?]|$)|api\/search\/|api\/3\/action\/|catalog(?:[./?]|$))/;

export function rateLimits(ctx: AppContext) {
  const { config } = ctx;
  return {
    async key(req: FastifyRequest): Promise<string> {
      const signed = req.headers['x-shuyuan-appkey'];
      if (typeof signed === 'string' && signed) return `key:${signed}`;
      const token = req.headers[APP_TOKEN_HEADER];
      if (token !== undefined) {
        const t = Array.isArray(token) ? token[0] : token;
        if (!t || !(await ctx.identity.appTokenValid(t))) throw new AppError(403, 'APP_TOKEN_INVALID', {}, { header: 'X-App-Token' });
        if (!req.actor || req.actor.kind === 'anonymous') return `app:${t}`;
      }
      if ((!req.actor || req.actor.kind === 'anonymous') && PUBLIC_READ_PATH.test(req.url)) return `anon:${req.ip}`;
      return `ip:${req.ip}`;
    },
    max(_req: FastifyRequest, key: string): number {
      if (key.startsWith('app:')) return config.appTokenRateLimit;
      if (key.startsWith('anon:')) return config.anonRateLimit;
      return config.rateLimit;
    },
  };
}
