#!/usr/bin/env node
/**
 * A small example backend for Parley's bundled chat in token mode (`--auth jwt`): a sign-in page that sets a
 * session cookie, and the token endpoint the chat calls with that cookie (`--ui-token-url`). No dependencies.
 *
 *   PARLEY_JWT_SECRET=... CHAT_URL=http://localhost:8080 PORT=3000 node examples/token-endpoint.mjs
 *   npm start -- --auth jwt --jwt-secret "$PARLEY_JWT_SECRET" \
 *     --ui-token-url http://localhost:3000/token --ui-login-url http://localhost:3000/login
 *
 * It signs anyone in under the name they type: replace `signIn` with your own accounts. Everything else (an
 * HttpOnly session cookie, short-lived HS256 tokens, CORS for the chat's origin only, no open redirect) is what a
 * real backend does too. See docs/security.md, "The bundled chat with tokens".
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

const secret = process.env.PARLEY_JWT_SECRET ?? '';
if (secret.length < 32) {
  console.error('set PARLEY_JWT_SECRET (at least 32 characters, the same as Parley --jwt-secret)');
  process.exit(2);
}
const chat = new URL(process.env.CHAT_URL ?? 'http://localhost:8080');
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
/** Token lifetime: the SDK fetches a new one before it expires. */
const TOKEN_SECONDS = 15 * 60;

/** Session id → the signed-in user. In memory: a restart signs everyone out. */
const sessions = new Map();

const base64url = (data) => Buffer.from(data).toString('base64url');

/** An HS256 JWT with Parley's claims: `sub` (user id), `name`, `exp`. */
function token(user) {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const claims = base64url(
    JSON.stringify({ sub: user.id, name: user.name, iat: now, exp: now + TOKEN_SECONDS }),
  );
  const signature = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
  return `${header}.${claims}.${signature}`;
}

/** Your accounts go here. The example takes the typed name and derives a stable id from it. */
function signIn(name) {
  const clean = name.trim().slice(0, 32);
  if (clean === '') return undefined;
  const id = `u-${clean.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return { id, name: clean };
}

function sessionOf(request) {
  const cookie = request.headers.cookie ?? '';
  const match = /(?:^|;\s*)session=([A-Za-z0-9_-]+)/.exec(cookie);
  return match ? sessions.get(match[1]) : undefined;
}

/** Only back to the chat's own origin (never an open redirect). */
function returnTo(raw) {
  try {
    const url = new URL(raw ?? '', chat);
    return url.origin === chat.origin ? url.href : chat.href;
  } catch {
    return chat.href;
  }
}

const escapeHtml = (text) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(back) {
  return `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Sign in</title><body style="font-family:system-ui;max-width:22rem;margin:4rem auto">
<h1>Sign in</h1><form method="post" action="/login">
<input type="hidden" name="return" value="${escapeHtml(back)}">
<label>Name <input name="name" id="login-name" required maxlength="32" autofocus></label>
<button type="submit">Sign in</button></form></body>`;
}

async function body(request) {
  let text = '';
  for await (const chunk of request) {
    text += chunk;
    if (text.length > 4096) throw new Error('body too large');
  }
  return new URLSearchParams(text);
}

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'localhost'}`);
  try {
    if (url.pathname === '/token' && request.method === 'GET') {
      // The chat's page calls this from its own origin with credentials: allow exactly that origin.
      response.setHeader('access-control-allow-origin', chat.origin);
      response.setHeader('access-control-allow-credentials', 'true');
      response.setHeader('vary', 'Origin');
      response.setHeader('cache-control', 'no-store');
      const user = sessionOf(request);
      response.writeHead(user ? 200 : 401, { 'content-type': 'application/json' });
      response.end(JSON.stringify(user ? { token: token(user) } : { error: 'not signed in' }));
      return;
    }
    if (url.pathname === '/login' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(loginPage(returnTo(url.searchParams.get('return'))));
      return;
    }
    if (url.pathname === '/login' && request.method === 'POST') {
      const form = await body(request);
      const user = signIn(form.get('name') ?? '');
      if (!user) {
        response.writeHead(400, { 'content-type': 'text/plain' }).end('a name is required');
        return;
      }
      const id = randomBytes(24).toString('base64url');
      sessions.set(id, user);
      response.writeHead(303, {
        'set-cookie': `session=${id}; HttpOnly; SameSite=Lax; Path=/; Max-Age=86400`,
        location: returnTo(form.get('return')),
      });
      response.end();
      return;
    }
    if (url.pathname === '/logout' && request.method === 'POST') {
      const match = /(?:^|;\s*)session=([A-Za-z0-9_-]+)/.exec(request.headers.cookie ?? '');
      if (match) sessions.delete(match[1]);
      response.writeHead(303, { 'set-cookie': 'session=; Path=/; Max-Age=0', location: chat.href }).end();
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  } catch (error) {
    response.writeHead(400, { 'content-type': 'text/plain' }).end(String(error.message));
  }
});

server.listen(port, host, () => {
  const { port: bound } = server.address();
  console.log(
    `token endpoint on http://${host}:${bound} (token: /token, sign-in: /login) for ${chat.origin}`,
  );
});
