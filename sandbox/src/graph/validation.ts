import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { GraphError } from './errors.js';

/**
 * The endpoint validation handshake Graph runs before it creates a subscription: it POSTs
 * `?validationToken=<token>` to the notification URL (and to the lifecycle URL) and expects, within
 * 10 seconds, `200 OK`, a `text/plain` body, and the URL-decoded token as that body.
 */

export const VALIDATION_TIMEOUT_MS = 10_000;

/**
 * Graph's tokens read like "Validation: Testing client application reachability for subscription
 * Request-Id: …": spaces and colons, so a receiver that echoes the still-encoded token fails, as
 * it would against Graph.
 */
export function validationToken(): string {
  return `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
}

/** Runs the handshake against one URL; resolves when it passes, throws Graph's 400 otherwise. */
export async function validateEndpoint(
  fetchImpl: typeof fetch,
  url: string,
  timeoutMs = VALIDATION_TIMEOUT_MS,
): Promise<void> {
  const token = validationToken();
  const target = new URL(url);
  target.searchParams.append('validationToken', token);
  let response: Response;
  try {
    response = await fetchImpl(target, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: '',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      throw validationError('Subscription validation request timed out.');
    }
    throw validationError(
      'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    );
  }
  const body = await response.text();
  if (response.status !== 200) {
    throw validationError(
      `Subscription validation request failed. HTTP status code is '${statusName(response.status)}'. Notification endpoint must respond with 200 OK to validation request.`,
    );
  }
  const type = response.headers.get('content-type') ?? '';
  if (!type.toLowerCase().startsWith('text/plain') || body !== token) {
    throw validationError(
      'Subscription validation request failed. Response must exactly match validationToken query parameter.',
    );
  }
}

function validationError(message: string): GraphError {
  return new GraphError(400, 'ValidationError', message);
}

/** .NET's status names, which Graph prints ("NotFound", "InternalServerError"). */
function statusName(status: number): string {
  return (STATUS_CODES[status] ?? String(status)).replace(/[^A-Za-z]/g, '');
}
