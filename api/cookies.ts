import type { FastifyRequest } from 'fastify';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'jn_session';

/** The cookie is sent with API calls only, not with the page's files. */
const COOKIE_PATH = '/api';

/** A session secret as it is issued (base64url): anything else in the cookie is ignored. */
const SECRET = /^[A-Za-z0-9_-]{16,128}$/;

/**
 * The session secret of the request's `Cookie` header (RFC 6265, 5.4: `name=value` pairs
 * separated by `; `), or undefined when there is none or it is malformed.
 */
export function sessionSecretOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(at + 1).trim();
    if (SECRET.test(value)) return value;
  }
  return undefined;
}

/**
 * The `Set-Cookie` value of a session (RFC 6265, 4.1): `HttpOnly` (no script reads it),
 * `SameSite=Strict` (no other site's page sends it), `Secure` when the request came over TLS
 * (directly, or through a trusted proxy's X-Forwarded-Proto). An empty secret with `maxAgeS` 0
 * removes it.
 */
export function sessionCookie(request: FastifyRequest, secret: string, maxAgeS: number): string {
  return [
    `${SESSION_COOKIE}=${secret}`,
    `Path=${COOKIE_PATH}`,
    `Max-Age=${Math.max(0, Math.floor(maxAgeS))}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(request.protocol === 'https' ? ['Secure'] : []),
  ].join('; ');
}
