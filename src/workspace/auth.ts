/**
 * Who may call the workspace's Web API: the bot, with the token made for this run, sent as Slack's clients send it,
 * in the `Authorization: Bearer` header. A token in the body or query string is not accepted on its own: a page of
 * another site can send those (a form, an image, a link) but cannot set that header without a CORS preflight, which
 * this server never grants.
 */
import { timingSafeEqual } from 'node:crypto';

/** Slack's error word for a call that may not run, or null when it may. */
export type AuthRefusal = 'not_authed' | 'invalid_auth' | null;

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Whether a call with header `authorization` and `tokenArgument` (the `token` of its body or query, as
 * `@slack/web-api` repeats it for some calls) may run with `token`: `not_authed` without a bearer header,
 * `invalid_auth` when the header's token is not `token` or the argument names another.
 */
export function authRefusal(authorization: string | undefined, tokenArgument: string | undefined, token: string): AuthRefusal {
  const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1]?.trim();
  if (!bearer) return 'not_authed';
  if (!same(bearer, token)) return 'invalid_auth';
  if (tokenArgument !== undefined && !same(tokenArgument, token)) return 'invalid_auth';
  return null;
}
