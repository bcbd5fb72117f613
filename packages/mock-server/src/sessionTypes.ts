import type { DemoUser, DialectName } from './clients.js';

/** The records and outcomes of the session store (`sessions.ts`). */

/** What a route minted for one sign-in or rotation: the tokens and the exact body it answers. */
export interface Issued {
  readonly accessToken: string;
  /** When the server stops accepting the access token, ms since the epoch (server clock). */
  readonly accessExpiresAt: number;
  readonly refreshToken: string;
  readonly refreshExpiresAt: number;
  /** The `sub` the API reports for this session. */
  readonly sub: string;
  /** The complete success body, kept so a replay inside the grace window is byte-identical. */
  readonly body: unknown;
}

export interface Family {
  readonly id: number;
  readonly dialect: DialectName;
  readonly clientId: string;
  readonly user: DemoUser;
  revoked: boolean;
  /**
   * RFC 9449 §5: the DPoP key (JWK thumbprint) its tokens, refresh token included, are bound to.
   * Set at sign-in, or at the first refresh with a proof of a family that started without one
   * (`dpop: 'optional'`); never changed once set.
   */
  jkt: string | undefined;
  /** The newest access token; on a dialect that invalidates on refresh, the only live one. */
  currentAccess: AccessEntry | undefined;
}

export interface AccessEntry {
  readonly family: Family;
  readonly expiresAt: number;
  readonly sub: string;
  /** The DPoP key it is bound to (its `cnf.jkt`), if any. */
  readonly jkt: string | undefined;
  /** Set when a refresh superseded it on a dialect that invalidates the previous access token. */
  superseded: boolean;
}

export interface RefreshEntry {
  readonly family: Family;
  readonly expiresAt: number;
  /** Set, synchronously, the moment the token is spent: a concurrent second use sees it. */
  rotation: { readonly at: number; readonly result: Promise<Issued> } | undefined;
}

export type Mint = (family: Family) => Promise<Issued>;

/** `dpop-key`: a DPoP-bound token with another key's proof; `dpop-missing`: with none. */
type DpopRejection = 'dpop-key' | 'dpop-missing';

export type RefreshRejection =
  | 'unknown'
  | 'wrong-client'
  | 'revoked'
  | 'expired'
  | 'reused'
  | DpopRejection;

export type RefreshOutcome =
  | { readonly kind: 'rotated'; readonly issued: Issued }
  | { readonly kind: 'replayed'; readonly issued: Issued }
  | { readonly kind: 'rejected'; readonly reason: RefreshRejection };

export type AccessCheck =
  | {
      readonly ok: true;
      readonly dialect: DialectName;
      readonly sub: string;
      readonly user: DemoUser;
      readonly jkt: string | undefined;
    }
  | {
      readonly ok: false;
      readonly reason: 'unknown' | 'revoked' | 'superseded' | 'expired';
      readonly dialect?: DialectName;
      readonly jkt?: string | undefined;
    };

/** What the authorization endpoint bound a code to (RFC 6749 §4.1.2, RFC 7636 §4.4). */
export interface CodeGrant {
  readonly dialect: DialectName;
  readonly clientId: string;
  readonly user: DemoUser;
  readonly redirectUri: string;
  /** RFC 7636 `S256` challenge: BASE64URL(SHA-256(code_verifier)). */
  readonly codeChallenge: string;
  /** OIDC nonce, for the id token of the exchange (CIAM). */
  readonly nonce: string | undefined;
  /** RFC 9449 §10 `dpop_jkt`: the exchange must come with a proof by this key. */
  readonly dpopJkt?: string | undefined;
}

export interface CodeEntry extends CodeGrant {
  readonly expiresAt: number;
  /** Set, synchronously, at the first presentation, whatever its outcome. */
  spent: boolean;
  /** The family the code started: revoked if the code comes back. */
  family: Family | undefined;
}

export type CodeRejection =
  | 'unknown'
  | 'wrong-client'
  | 'expired'
  | 'reused'
  | 'redirect_uri'
  | 'code_verifier'
  | DpopRejection;

export type CodeOutcome =
  | { readonly kind: 'signed-in'; readonly issued: Issued }
  | { readonly kind: 'rejected'; readonly reason: CodeRejection };
