import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startSandbox, type RunningSandbox } from '../../../../sandbox/src/launch.js';
import { repoRoot } from '../../../../sandbox/src/teams-host/bundle.js';
import {
  CHROMIUM_MISSING,
  chromiumPath,
  launchBrowser,
  type BrowserSession,
} from '../../../support/browser.js';

/** The whole sandbox on ephemeral ports plus a fresh Chromium page, for the browser suites. */
export interface BrowserWorld {
  readonly sandbox: RunningSandbox;
  readonly page: Page;
  /** Where this suite writes its screenshots (created). */
  readonly shots: string;
  close(): Promise<void>;
}

/**
 * Starts the world, or returns undefined after printing why when Chromium is missing (the caller
 * skips). `shotsFolder` is a folder under test-output/.
 */
export async function startBrowserWorld(shotsFolder: string): Promise<BrowserWorld | undefined> {
  const executable = chromiumPath();
  if (executable === undefined) {
    console.log(`    ${CHROMIUM_MISSING}`);
    return undefined;
  }
  const shots = path.join(repoRoot(), 'test-output', shotsFolder);
  await mkdir(shots, { recursive: true });
  const dataDir = await mkdtemp(path.join(tmpdir(), 'callbridge-browser-world-'));
  let sandbox: RunningSandbox | undefined;
  let browser: BrowserSession | undefined;
  const close = async (): Promise<void> => {
    await browser?.close();
    await sandbox?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    sandbox = await startSandbox({
      ports: 'ephemeral',
      dataDir,
      serviceEnv: { LOG_LEVEL: 'warn' },
      collectDefaultMetrics: false,
      logDestination: { write: () => undefined },
    });
    browser = await launchBrowser(executable);
    const page = await browser.browser.newPage();
    return { sandbox, page, shots, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Registers a suite's `before`/`after` for one browser world (the suite skips when Chromium is
 * missing), hands the world to `onReady`, and returns its getter; call inside `describe`.
 */
export function useBrowserWorld(
  shotsFolder: string,
  onReady: (world: BrowserWorld) => void,
): () => BrowserWorld {
  let world: BrowserWorld | undefined;
  before(async function () {
    world = await startBrowserWorld(shotsFolder);
    if (world === undefined) {
      this.skip();
      return;
    }
    onReady(world);
  });
  after(async () => {
    await world?.close();
  });
  return () => {
    if (world === undefined) throw new Error('the browser world is not running');
    return world;
  };
}
