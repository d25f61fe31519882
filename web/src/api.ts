/**
 * The page's only door to the API. People sign in with a username and password: the API sets an
 * HttpOnly session cookie the page never sees. A machine (or an old setup) may sign in with an API
 * token instead, kept in sessionStorage and sent as `Authorization: Bearer`. Every call carries
 * `X-Requested-With: jieneng` (README, "Users and sign-in": the API refuses a cookie-signed change
 * without it). A 401 forgets the token and sends the user back to sign-in with the reason; other
 * errors become an `ApiError` with the API's stable code and its `details` (README:
 * `{code, message, details}`).
 */

import type { z } from 'zod';
import type { ErrorDetailSchema } from '../../api/schemas/common.js';

const TOKEN_KEY = 'jieneng.token';

/** What the API says is wrong with a field of the request (`path` names it: `scopes.0`, `meters!E7`). */
export type ProblemDetail = z.output<typeof ErrorDetailSchema>;

/** An API answer other than 2xx; `status` 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ProblemDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The user may not read or do this: the page shows it in place, it does not crash. */
  get forbidden(): boolean {
    return this.status === 403;
  }
}

/** The API token of this browser tab, when it signed in with one (sessionStorage: gone when the tab closes). */
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

let onUnauthorized: (error: ApiError) => void = () => undefined;

/** Called with the API's refusal when a call answers 401 (the token is already forgotten). */
export function handleUnauthorized(fn: (error: ApiError) => void): void {
  onUnauthorized = fn;
}

/** Sends the user to sign-in as a 401 of an ordinary call would (for a call made with `quiet401`). */
export function reportUnauthorized(error: ApiError): void {
  session.clear();
  onUnauthorized(error);
}

/** A path with its query string; undefined and empty values are left out. */
export function url(path: string, params: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? path : `${path}?${s}`;
}

/** A call's method and body: JSON, or a file sent as it is (`raw`, e.g. a workbook). */
export interface CallInit {
  readonly method?: string;
  readonly body?: unknown;
  readonly raw?: Blob;
  /** A 401 is the answer itself (sign-in, who am I): do not send the user to sign-in. */
  readonly quiet401?: boolean;
}

async function call(path: string, init: CallInit = {}): Promise<Response> {
  const headers: Record<string, string> = { 'x-requested-with': 'jieneng' };
  const token = session.token();
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (init.raw !== undefined) {
    headers['content-type'] = init.raw.type || 'application/octet-stream';
    body = init.raw;
  } else if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method: init.method ?? 'GET', headers, credentials: 'same-origin', body });
  } catch (error) {
    throw new ApiError(0, 'JN_NETWORK', error instanceof Error ? error.message : String(error));
  }
  if (res.ok) return res;
  const answer = (await res.json().catch(() => ({}))) as {
    code?: string;
    message?: string;
    details?: ProblemDetail[];
  };
  const error = new ApiError(
    res.status,
    answer.code ?? `HTTP_${res.status}`,
    answer.message ?? res.statusText,
    Array.isArray(answer.details) ? answer.details : [],
  );
  if (res.status === 401 && !init.quiet401) reportUnauthorized(error);
  throw error;
}

/** Calls the API and parses its JSON answer (undefined for a 204). */
export async function api<T>(path: string, init: CallInit = {}): Promise<T> {
  const res = await call(path, init);
  if (res.status === 204) return undefined as T;
  return res.json() as Promise<T>;
}

/** Fetches a file as the signed-in user and hands it to the browser as a download. */
export async function download(path: string, fallbackName: string): Promise<string> {
  const res = await call(path);
  const disposition = res.headers.get('content-disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const fileName = match?.[1] === undefined ? fallbackName : decodeURIComponent(match[1]);
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
  return fileName;
}
