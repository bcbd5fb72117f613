import type { JwtClaims } from '@baton/core';
import { useAuth } from '@baton/react';
import type { ReactNode } from 'react';

const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time']);
const ORDER = ['sub', 'username', 'iss', 'aud', 'scope', 'iat', 'exp', 'jti'];

function show(name: string, value: unknown): string {
  if (TIME_CLAIMS.has(name) && typeof value === 'number')
    return new Date(value * 1000).toLocaleTimeString([], { hour12: false });
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 64 ? `${text.slice(0, 63)}…` : text;
}

function sorted(claims: JwtClaims): [string, unknown][] {
  const rank = (name: string) => {
    const i = ORDER.indexOf(name);
    return i === -1 ? ORDER.length : i;
  };
  return Object.entries(claims).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

function ClaimsTable({ claims, testId }: { claims: JwtClaims; testId: string }): ReactNode {
  return (
    <table className="claims-table" data-testid={testId}>
      <tbody>
        {sorted(claims).map(([name, value]) => (
          <tr key={name}>
            <th scope="row">{name}</th>
            <td>{show(name, value)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * The access token's claims and the ID token's (the profile), decoded in this tab, not verified.
 * Never a token itself.
 */
export function ClaimsPanel(): ReactNode {
  const { status, claims, profile } = useAuth();
  return (
    <section className="card claims" aria-labelledby="claims-title">
      <div className="card-head">
        <h2 id="claims-title">Token claims</h2>
        <span className="muted small">decoded, not verified</span>
      </div>
      {status === 'signed-out' ? (
        <p className="muted">Sign in to see the claims of the access token.</p>
      ) : claims ? (
        <ClaimsTable claims={claims} testId="claims" />
      ) : (
        <p className="muted">This endpoint's access token is opaque: it has no claims to show.</p>
      )}
      {status !== 'signed-out' ? (
        <>
          <h3 className="claims-sub">Profile (ID token)</h3>
          {profile ? (
            <ClaimsTable claims={profile} testId="profile" />
          ) : (
            <p className="muted small" data-testid="no-profile">
              This endpoint sent no ID token: no profile.
            </p>
          )}
        </>
      ) : null}
      <p className="muted small hint">The raw token never appears on this page.</p>
    </section>
  );
}
