/**
 * The page's only door to the API: every call carries `Authorization: Bearer <token>` from
 * sessionStorage. A 401 forgets the token and sends the officer back to sign-in with the reason;
 * other errors become an `ApiError` with the API's stable code (README: `{code, message, details}`).
 */

const TOKEN_KEY = 'jieneng.token';

/** An API answer other than 2xx; `status` 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The token may not read this (roles come later: the page shows it, it does not crash). */
  get forbidden(): boolean {
    return this.status === 403;
  }
}

/** The token of this browser tab (sessionStorage: gone when the tab closes). */
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

let onUnauthorized: (message: string) => void = () => undefined;

/** Called with the API's message when a call answers 401 (the token is already forgotten). */
export function handleUnauthorized(fn: (message: string) => void): void {
  onUnauthorized = fn;
}

/** A path with its query string; undefined and empty values are left out. */
export function url(path: string, params: Record<string, string | number | undefined> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? path : `${path}?${s}`;
}

async function call(path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  const token = session.token();
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch (error) {
    throw new ApiError(0, 'JN_NETWORK', error instanceof Error ? error.message : String(error));
  }
  if (res.ok) return res;
  const body = (await res.json().catch(() => ({}))) as { code?: string; message?: string };
  const error = new ApiError(res.status, body.code ?? `HTTP_${res.status}`, body.message ?? res.statusText);
  if (res.status === 401) {
    session.clear();
    onUnauthorized(error.message);
  }
  throw error;
}

/** GET (or another method with a JSON body) and parse the JSON answer. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  return (await call(path, init)).json() as Promise<T>;
}

/** Fetches a file with the token and hands it to the browser as a download. */
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
