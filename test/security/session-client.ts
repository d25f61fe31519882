import type { TestPlatform } from '../helpers/platform.js';

/** An answer of the API with its headers. */
export interface Answer<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** How a test request is signed: a session cookie (with the page's CSRF header unless `csrf: false`), a token, or nothing. */
export interface CallOptions {
  readonly body?: unknown;
  readonly cookie?: string;
  /** Send `X-Requested-With: jieneng` (default: with a cookie). */
  readonly csrf?: boolean;
  readonly token?: string;
  readonly headers?: Record<string, string>;
}

/** Calls the platform's API as a browser page (cookie) or a machine (token) would. */
export async function call<T = Record<string, unknown>>(
  t: TestPlatform,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Answer<T>> {
  const csrf = options.csrf ?? options.cookie !== undefined;
  const res = await fetch(`${t.platform.apiUrl}${path}`, {
    method,
    headers: {
      ...(options.cookie === undefined ? {} : { cookie: options.cookie }),
      ...(csrf ? { 'x-requested-with': 'jieneng' } : {}),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? null : JSON.parse(text)) as T, headers: res.headers };
}

/** The `Set-Cookie` of the session cookie in an answer, or undefined. */
export function sessionSetCookie(headers: Headers): string | undefined {
  return headers.getSetCookie().find((c) => c.startsWith('jn_session='));
}

/** A user as the API shows it. */
export interface UserOut {
  id: string;
  username: string;
  displayName: string;
  role: string;
  scopes: string[];
  disabledAt: string | null;
}

/** Signs in; throws unless it succeeds. Returns the `Cookie` header to send and the answer. */
export async function signIn(
  t: TestPlatform,
  username: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<{ cookie: string; setCookie: string; body: { user: UserOut; expiresAt: string } }> {
  const res = await call<{ user: UserOut; expiresAt: string }>(t, 'POST', '/api/v1/sessions', {
    body: { username, password },
    csrf: true,
    headers,
  });
  const setCookie = sessionSetCookie(res.headers);
  if (res.status !== 200 || setCookie === undefined)
    throw new Error(`sign-in: ${res.status} ${JSON.stringify(res.body)}`);
  return { cookie: setCookie.split(';')[0] as string, setCookie, body: res.body };
}
