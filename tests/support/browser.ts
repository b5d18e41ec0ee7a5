import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/**
 * Browser tests use Debian's chromium through playwright-core (no browser download). When it
 * is missing the suite skips and says why, rather than failing on a machine without it.
 */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p): p is string => p !== undefined && p !== '' && existsSync(p));
}

export const CHROMIUM_MISSING =
  'chromium not found (install it with `apt-get install -y chromium` or set CHROMIUM_PATH); skipping browser tests';

export interface BrowserSession {
  readonly browser: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile per session; HTTPS errors ignored because the sandbox CA is not in it. */
export async function launchBrowser(executablePath: string): Promise<BrowserSession> {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'callbridge-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    ignoreHTTPSErrors: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser: context,
    close: async () => {
      await context.close().catch(() => undefined);
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

export type { Browser };
