import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PendingSignIn } from '../core/accounts/oidc-client.js';

/** Name of the cookie that carries a single sign-on in progress from its start to its callback. */
export const SSO_COOKIE = 'jn_sso';

/** Sent to the two single sign-on routes only. */
const COOKIE_PATH = '/api/v1/sessions/oidc';

/** Longest a sign-in at the provider may take, from the button to the callback, in seconds. */
export const SSO_PENDING_MAX_AGE_S = 600;

const Pending = z.object({
  state: z.string().min(1),
  nonce: z.string().min(1),
  verifier: z.string().min(43).max(128),
  redirectUri: z.url(),
  expiresAtMs: z.number(),
});

/** A key of its own for these cookies, derived from the client secret every process of a cluster shares. */
function keyOf(clientSecret: string): Buffer {
  return createHash('sha256').update('jieneng sso pending sign-in\0').update(clientSecret).digest();
}

function mac(payload: string, clientSecret: string): Buffer {
  return createHmac('sha256', keyOf(clientSecret)).update(payload).digest();
}

/**
 * The `Set-Cookie` of a sign-in in progress: its state, nonce and PKCE verifier, signed (HMAC) and
 * expiring with it. `SameSite=Lax`, not Strict: the provider's redirect back to the callback is a
 * navigation from another site, which must carry it (RFC 6265bis, 5.4.7.1). `HttpOnly`, and
 * `Secure` under TLS, as the session cookie. Without `pending` it removes the cookie.
 */
export function ssoCookie(
  request: FastifyRequest,
  clientSecret: string,
  pending: PendingSignIn | undefined,
  nowMs: number,
): string {
  let value = '';
  if (pending !== undefined) {
    const payload = Buffer.from(JSON.stringify({ ...pending, expiresAtMs: nowMs + SSO_PENDING_MAX_AGE_S * 1000 }));
    value = `${payload.toString('base64url')}.${mac(payload.toString('base64url'), clientSecret).toString('base64url')}`;
  }
  return [
    `${SSO_COOKIE}=${value}`,
    `Path=${COOKIE_PATH}`,
    `Max-Age=${pending === undefined ? 0 : SSO_PENDING_MAX_AGE_S}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(request.protocol === 'https' ? ['Secure'] : []),
  ].join('; ');
}

/** The sign-in in progress of the request's cookie, or undefined when there is none, it is not ours, or it expired. */
export function pendingSignInOf(
  request: FastifyRequest,
  clientSecret: string,
  nowMs: number,
): PendingSignIn | undefined {
  for (const pair of (request.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== SSO_COOKIE) continue;
    const [payload, signature] = pair
      .slice(at + 1)
      .trim()
      .split('.');
    if (payload === undefined || signature === undefined) continue;
    const given = Buffer.from(signature, 'base64url');
    const expected = mac(payload, clientSecret);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) continue;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      continue;
    }
    const parsed = Pending.safeParse(json);
    if (!parsed.success || parsed.data.expiresAtMs <= nowMs) continue;
    const { expiresAtMs: _, ...pending } = parsed.data;
    return pending;
  }
  return undefined;
}
