/**
 * How the bundled chat signs in. The server says which mode it runs in (`/ui-config.json`): anonymous (a display
 * name, kept for the tab in sessionStorage so a reload keeps the session, while another tab may be another person),
 * or verified tokens fetched from the site's token endpoint with the user's session cookie.
 */

/** What the server tells the bundled UI about signing in. */
export interface UiConfig {
  auth: 'anonymous' | 'jwt';
  /** Where the chat gets a token (token mode); empty when the operator set none. */
  tokenUrl: string;
  /** Where a user without a session signs in (token mode); empty when not set. */
  loginUrl: string;
}

/** An anonymous session of this tab. */
export interface AnonymousSession {
  name: string;
  room: string;
}

const SESSION_KEY = 'parley.session';

export async function loadUiConfig(): Promise<UiConfig> {
  try {
    const response = await fetch('/ui-config.json', { cache: 'no-store' });
    if (response.ok) return (await response.json()) as UiConfig;
  } catch {
    // An older server without it: anonymous, as before.
  }
  return { auth: 'anonymous', tokenUrl: '', loginUrl: '' };
}

/** This tab's anonymous session, if it signed in before (kept across reloads, not shared with other tabs). */
export function savedSession(): AnonymousSession | undefined {
  try {
    const saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as AnonymousSession | null;
    return saved && typeof saved.name === 'string' && typeof saved.room === 'string' ? saved : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(session: AnonymousSession): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  // Offered as the name of the next new tab.
  localStorage.setItem('parley.name', session.name);
}

export function forgetSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

/** Why the token endpoint gave no token. */
export class TokenRefused extends Error {
  constructor(readonly status: number) {
    super(status === 401 || status === 403 ? 'not signed in' : `the token endpoint answered ${status}`);
  }
}

/** Fetches a token from the site's token endpoint, sending the user's cookies (`{ "token": "…" }` back). */
export async function fetchToken(tokenUrl: string): Promise<string> {
  const response = await fetch(tokenUrl, { credentials: 'include', cache: 'no-store' });
  if (!response.ok) throw new TokenRefused(response.status);
  const body = (await response.json()) as { token?: unknown };
  if (typeof body.token !== 'string' || body.token === '')
    throw new Error('the token endpoint sent no token');
  return body.token;
}
