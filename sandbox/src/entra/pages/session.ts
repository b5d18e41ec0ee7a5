import type { SandboxRequest } from '../../shared/http.js';
import { header } from '../responses.js';

/**
 * The sandbox's sign-in session: a cookie naming the user who last signed in, which is what
 * `prompt=none` (silent sign-in) relies on. It is not a secret: the sandbox has no passwords.
 */

const COOKIE = 'entra_sandbox_session';

export function sessionUserId(req: SandboxRequest): string | undefined {
  for (const part of (header(req, 'cookie') ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) return decodeURIComponent(value.join('='));
  }
  return undefined;
}

export function sessionCookie(userId: string): Record<string, string> {
  return { 'set-cookie': `${COOKIE}=${encodeURIComponent(userId)}; Path=/; HttpOnly; Secure; SameSite=None` };
}
