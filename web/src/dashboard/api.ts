/** The dashboard's calls to the server: operator listings and the server API, with the admin token if any. */

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Calls an endpoint; a refusal becomes an {@link ApiFailure} with the server's message. */
export async function call<T>(
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const body = (await response.json().catch(() => ({}))) as T & { error?: string; message?: string };
  if (!response.ok) {
    const text =
      body.error === 'api_disabled'
        ? 'this needs the admin token: start Parley with --admin-token and enter it here'
        : (body.message ?? body.error ?? `HTTP ${response.status}`);
    throw new ApiFailure(response.status, text);
  }
  return body;
}
