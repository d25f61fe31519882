/**
 * A real OpenID Connect provider for the single sign-on tests (issue 17, item 1): `oidc-provider`
 * (the certified Node.js implementation) on a free port, with one confidential client that must
 * use PKCE and people whose groups a test can change; and a cookie-keeping client that walks
 * through the provider's login and consent pages as a browser would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** The client the platform is configured with. */
export const OIDC_CLIENT = { id: 'jieneng', secret: 'oidc-client-secret-0123456789abcdef' } as const;

/** Someone who can sign in at the provider: any password is accepted (devInteractions). */
export interface OidcPerson {
  readonly preferred_username?: string;
  readonly name?: string;
  readonly email?: string;
  groups: string[];
}

/** A provider on a free port; `register` it with the platform's redirect URI before the first sign-in. */
export interface OidcProvider {
  /** The issuer: OIDC_ISSUER of the platform. `localhost` when asked (another site than 127.0.0.1 for a browser). */
  readonly issuer: string;
  /** People by subject (`sub`, and the login typed at the provider). */
  readonly people: Map<string, OidcPerson>;
  register(redirectUri: string): void;
  close(): Promise<void>;
}

/** Starts the provider's HTTP server; it answers 503 until `register` builds the provider itself. */
export async function startOidcProvider(host: '127.0.0.1' | 'localhost' = '127.0.0.1'): Promise<OidcProvider> {
  const server: Server = createServer((_req, res) => res.writeHead(503).end('not registered yet'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
  const people = new Map<string, OidcPerson>();
  return {
    issuer,
    people,
    register(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: OIDC_CLIENT.id,
            client_secret: OIDC_CLIENT.secret,
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        // A client that does not send a code challenge is refused.
        pkce: { required: () => true },
        scopes: ['openid', 'profile', 'email', 'groups'],
        claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'], groups: ['groups'] },
        cookies: { keys: ['oidc-provider-test-cookie-key-0123456789'] },
        features: { devInteractions: { enabled: true } },
        // Lifetimes in seconds (set, so that the provider does not warn of its defaults).
        ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
        async findAccount(_ctx, id) {
          const person = people.get(id);
          if (person === undefined) return undefined;
          // Read at each request: a test changes someone's groups between two sign-ins.
          return { accountId: id, claims: async () => ({ sub: id, ...person, groups: [...person.groups] }) };
        },
      });
      server.removeAllListeners('request');
      server.on('request', provider.callback());
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Cookies by host name (ports share them, as in a browser), paths and expiry simplified. */
export class CookieJar {
  readonly #cookies = new Map<string, Map<string, string>>();

  /** The `Cookie` header for a URL. */
  header(url: string): string {
    const jar = this.#cookies.get(new URL(url).hostname) ?? new Map();
    return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Takes the `Set-Cookie` headers of an answer from `url`. */
  take(url: string, headers: Headers): void {
    const host = new URL(url).hostname;
    const jar = this.#cookies.get(host) ?? new Map<string, string>();
    this.#cookies.set(host, jar);
    for (const line of headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((a) => a.trim());
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      const value = pair.slice(at + 1);
      const gone = attributes.some(
        (a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()),
      );
      if (gone || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }

  /** A cookie's value, if the jar has it for this URL's host. */
  get(url: string, name: string): string | undefined {
    return this.#cookies.get(new URL(url).hostname)?.get(name);
  }
}

/** One request without following redirects, its cookies sent and kept. */
export async function browse(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const res = await fetch(url, {
    ...init,
    redirect: 'manual',
    headers: { ...(init.headers as Record<string, string> | undefined), cookie: jar.header(url) },
  });
  jar.take(url, res.headers);
  return res;
}

/** The form of a provider page: where it posts, and its hidden fields. */
function formOf(html: string, pageUrl: string): { action: string; fields: Record<string, string> } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (action === undefined) throw new Error(`no form at ${pageUrl}: ${html.slice(0, 300)}`);
  const fields: Record<string, string> = {};
  for (const input of html.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(input[0])?.[1];
    if (name !== undefined) fields[name] = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
  }
  return { action: new URL(action.replaceAll('&amp;', '&'), pageUrl).href, fields };
}

/**
 * Starts a single sign-on on the platform and signs in at the provider as `login` (submitting
 * its login and consent pages), stopping at the provider's redirect back to the platform: the
 * callback URL, not followed, so that a test may follow it, change it or replay it.
 */
export async function signInAtProvider(jar: CookieJar, apiUrl: string, login: string): Promise<string> {
  let url = `${apiUrl}/api/v1/sessions/oidc/login`;
  for (let step = 0; step < 20; step++) {
    if (url.startsWith(`${apiUrl}/api/v1/sessions/oidc/callback`)) return url;
    const res = await browse(jar, url);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null) {
      url = new URL(location, url).href;
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`sso: ${res.status} at ${url}: ${html.slice(0, 300)}`);
    const { action, fields } = formOf(html, url);
    const body = new URLSearchParams(fields);
    if (fields.prompt === 'login') {
      body.set('login', login);
      body.set('password', 'any password');
    }
    const posted = await browse(jar, action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    });
    const next = posted.headers.get('location');
    if (next === null) throw new Error(`sso: ${posted.status} after posting ${action}: ${await posted.text()}`);
    url = new URL(next, action).href;
  }
  throw new Error('sso: too many redirects');
}
