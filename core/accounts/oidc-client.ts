import * as oidc from 'openid-client';
import type { Config } from '../config.js';
import type { GroupRoles } from '../domain/sso.js';
import { AppError } from '../errors.js';

/** Single sign-on with an OpenID Connect provider (issue 17, item 1), from `OIDC_*` and `PUBLIC_URL`. */
export interface SsoSettings {
  /** The provider's issuer identifier; its discovery document is at `/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Scopes asked for, space-separated (`openid` among them). */
  readonly scopes: string;
  /** Dotted path of the claim that lists the user's groups. */
  readonly groupsClaim: string;
  readonly groupRoles: GroupRoles;
  /** The page's public address: the redirect URI is built on it; unset, on the request's own address. */
  readonly publicUrl?: string;
}

/** The single sign-on settings of a configuration, or undefined when `OIDC_ISSUER` is unset. */
export function ssoSettingsOf(config: Config): SsoSettings | undefined {
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret } = config;
  if (issuer === undefined || clientId === undefined || clientSecret === undefined) return undefined;
  if (config.OIDC_GROUP_ROLES === undefined) return undefined;
  return {
    issuer,
    clientId,
    clientSecret,
    scopes: config.OIDC_SCOPES,
    groupsClaim: config.OIDC_GROUPS_CLAIM,
    groupRoles: config.OIDC_GROUP_ROLES,
    ...(config.PUBLIC_URL === undefined ? {} : { publicUrl: config.PUBLIC_URL }),
  };
}

/**
 * What a sign-in started with and must end with (kept by the browser in a signed cookie): the
 * `state` that ties the callback to this browser (RFC 6749, 10.12), the `nonce` the ID token
 * must carry (OpenID Connect Core 1.0, 3.1.2.1) and the PKCE verifier (RFC 7636).
 */
export interface PendingSignIn {
  readonly state: string;
  readonly nonce: string;
  readonly verifier: string;
  readonly redirectUri: string;
}

/** Longest one request to the provider may take, in milliseconds. */
const PROVIDER_TIMEOUT_S = 10;

/** Whether an error is the provider being unreachable or slow, rather than refusing. */
function unreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'TimeoutError' ||
    error.name === 'AbortError' ||
    (error instanceof TypeError && error.message === 'fetch failed') ||
    unreachable(error.cause)
  );
}

/**
 * The client side of the authorization code flow with PKCE (openid-client). The provider's
 * metadata is discovered on first use and kept; a failed discovery is tried again on the next
 * sign-in, so that a provider down at start-up does not stop the platform.
 */
export class OidcClient {
  /** The provider and this client at it. */
  readonly settings: SsoSettings;
  #configuration: Promise<oidc.Configuration> | undefined;

  constructor(settings: SsoSettings) {
    this.settings = settings;
  }

  /** The provider's metadata and this client: 503 (`JN_AUTH_SSO_UNAVAILABLE`, retryable) when it cannot be reached. */
  async configuration(): Promise<oidc.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    this.#configuration ??= oidc.discovery(new URL(issuer), clientId, clientSecret, oidc.ClientSecretBasic(), {
      timeout: PROVIDER_TIMEOUT_S,
      // Plain HTTP only for a provider on this machine (config refuses it elsewhere).
      ...(issuer.startsWith('http:') ? { execute: [oidc.allowInsecureRequests] } : {}),
    });
    try {
      return await this.#configuration;
    } catch (error) {
      this.#configuration = undefined;
      throw new AppError('JN_AUTH_SSO_UNAVAILABLE', 503, `sso: the provider cannot be reached (${String(error)})`, {
        retryable: true,
        cause: error,
      });
    }
  }

  /** Where to send the browser to sign in, and what the callback must find again. */
  async begin(redirectUri: string): Promise<{ url: URL; pending: PendingSignIn }> {
    const configuration = await this.configuration();
    const pending = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
      redirectUri,
    };
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: this.settings.scopes,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    return { url, pending };
  }

  /**
   * Ends a sign-in: checks the callback's `state` and `iss`, redeems the code with the PKCE
   * verifier, validates the ID token (signature, issuer, audience, expiry, `nonce`) and returns
   * its claims with the userinfo endpoint's (which often carries the groups). 401
   * (`JN_AUTH_SSO_FAILED`) when the provider or a check refuses, 503 when it cannot be reached.
   */
  async finish(query: URLSearchParams, pending: PendingSignIn): Promise<Record<string, unknown>> {
    const configuration = await this.configuration();
    const callback = new URL(pending.redirectUri);
    callback.search = query.toString();
    try {
      const tokens = await oidc.authorizationCodeGrant(configuration, callback, {
        pkceCodeVerifier: pending.verifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (claims === undefined) throw new Error('no ID token');
      const userinfo =
        configuration.serverMetadata().userinfo_endpoint === undefined
          ? {}
          : await oidc.fetchUserInfo(configuration, tokens.access_token, claims.sub);
      // The ID token's claims were checked against this sign-in: they win over userinfo's.
      return { ...userinfo, ...claims };
    } catch (error) {
      if (unreachable(error))
        throw new AppError('JN_AUTH_SSO_UNAVAILABLE', 503, `sso: the provider cannot be reached (${String(error)})`, {
          retryable: true,
          cause: error,
        });
      throw new AppError('JN_AUTH_SSO_FAILED', 401, `sso: sign-in refused (${describe(error)})`, { cause: error });
    }
  }
}

/** An error of the flow in one line: the provider's `error` code when it sent one. */
function describe(error: unknown): string {
  if (error instanceof oidc.ResponseBodyError || error instanceof oidc.AuthorizationResponseError)
    return `${error.error}${error.error_description === undefined ? '' : `: ${error.error_description}`}`;
  return error instanceof Error ? error.message : String(error);
}
