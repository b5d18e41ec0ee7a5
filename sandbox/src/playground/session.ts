import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PlaygroundClient } from './client.js';

/**
 * Starts Microsoft's Teams emulator for bots, the Microsoft 365 Agents Playground
 * (`agentsplayground -e <bot>/api/messages -c msteams --dt`), as a child process against a bot
 * endpoint, waits until its REST API answers, and hands back a typed client for it.
 *
 * The Playground sends activities WITHOUT an Authorization header and accepts unsigned replies,
 * so the CallBridge service must run in sandbox mode with DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT=true
 * (see README.md beside this file).
 */

export const PLAYGROUND_PACKAGE = '@microsoft/m365agentsplayground';
/** The Playground's own default port. */
export const PLAYGROUND_DEFAULT_PORT = 56150;

export interface PlaygroundSessionOptions {
  /** The bot's messaging endpoint, e.g. `http://127.0.0.1:3978/api/messages`. */
  readonly botEndpoint: string;
  /**
   * Port for the Playground (its web page, REST API and connector). 0 or unset: a free one. The
   * Playground itself moves to a free port when the one asked for is taken; `port` tells which.
   */
  readonly port?: number;
  /** Let the Playground open its web page in the default browser (default: no). */
  readonly openBrowser?: boolean;
  /** How long to wait for the Playground to answer (default 30 s). */
  readonly startTimeoutMs?: number;
}

export interface PlaygroundSession {
  /** The Playground's root URL: its web page, and the base of its REST API. */
  readonly url: string;
  readonly port: number;
  readonly version: string;
  readonly client: PlaygroundClient;
  /** The Playground's own log (it logs to a file, not to stdout, when not on a terminal). */
  log(): string;
  close(): Promise<void>;
}

/** The Playground could not be started on this machine: not installed, would not run, or too slow. */
export class PlaygroundUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PlaygroundUnavailableError';
  }
}

interface InstalledCli {
  readonly cliPath: string;
  readonly version: string;
}

/** Where the installed Playground's CLI is, read from its package.json (no `.bin` lookup). */
export function findPlaygroundCli(): InstalledCli {
  const require = createRequire(import.meta.url);
  let manifestPath: string;
  try {
    manifestPath = require.resolve(`${PLAYGROUND_PACKAGE}/package.json`);
  } catch (error) {
    throw new PlaygroundUnavailableError(
      `${PLAYGROUND_PACKAGE} is not installed (run \`npm install\`; it is a devDependency)`,
      { cause: error },
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    version?: unknown;
    bin?: Record<string, unknown>;
  };
  const bin = manifest.bin?.agentsplayground;
  if (typeof bin !== 'string') {
    throw new PlaygroundUnavailableError(`${PLAYGROUND_PACKAGE} has no \`agentsplayground\` bin`);
  }
  return {
    cliPath: path.join(path.dirname(manifestPath), bin),
    version: typeof manifest.version === 'string' ? manifest.version : 'unknown',
  };
}

/** Environment variables the Playground reads; ours are set explicitly, the caller's are dropped. */
const PLAYGROUND_ENV_PREFIXES = ['M365_AGENTS_PLAYGROUND_', 'TEAMSAPPTESTER_', 'TEAMS_APP_TEST_TOOL_'];

export async function startPlaygroundSession(options: PlaygroundSessionOptions): Promise<PlaygroundSession> {
  const cli = findPlaygroundCli();
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  // Its working directory is where it looks for `.m365agentsplayground.yml`: none, so the built-in
  // mocked tenant is used. Its log file goes there too.
  const workDir = mkdtempSync(path.join(tmpdir(), 'callbridge-playground-'));
  const logFile = path.join(workDir, 'm365agentsplayground.log');

  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !PLAYGROUND_ENV_PREFIXES.some((p) => name.startsWith(p))),
  );
  env.M365_AGENTS_PLAYGROUND_LOGFILE = logFile;
  if (options.openBrowser !== true) env.TEAMSAPPTESTER_BROWSER = 'none';
  // The bot and the Playground are both on this machine: never through a proxy.
  env.NO_PROXY = ['localhost', '127.0.0.1', '::1', env.NO_PROXY ?? env.no_proxy ?? '']
    .filter(Boolean)
    .join(',');
  env.no_proxy = env.NO_PROXY;

  const args = [
    cli.cliPath,
    '--app-endpoint',
    options.botEndpoint,
    '--channel-id',
    'msteams',
    '--disable-telemetry',
    '--port',
    String(options.port ?? 0),
  ];
  const child = spawn(process.execPath, args, { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const log = (): string => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const cleanUp = async (): Promise<void> => {
    await stopChild(child);
    rmSync(workDir, { recursive: true, force: true });
  };

  let port: number;
  try {
    // Not on a terminal, the Playground writes exactly `Listening on <port>` to stdout once listening.
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`it did not start listening within ${timeoutMs} ms`));
      }, timeoutMs);
      const onData = (): void => {
        const match = /Listening on (\d+)/.exec(stdout);
        if (match !== null) {
          finish();
          resolve(Number(match[1]));
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
        finish();
        reject(new Error(`it exited (${signal ?? `code ${code ?? '?'}`}) before listening`));
      };
      const onError = (error: Error): void => {
        finish();
        reject(error);
      };
      const finish = (): void => {
        clearTimeout(timer);
        child.stdout.off('data', onData);
        child.off('exit', onExit);
        child.off('error', onError);
      };
      child.stdout.on('data', onData);
      child.once('exit', onExit);
      child.once('error', onError);
    });
    const url = `http://127.0.0.1:${port}`;
    const client = new PlaygroundClient(url);
    await waitUntil(() => client.ping(), Date.now() + timeoutMs);
    return {
      url,
      port,
      version: cli.version,
      client,
      log,
      close: async () => {
        client.close();
        await cleanUp();
      },
    };
  } catch (error) {
    const details = [stderr.trim(), log().trim().split('\n').slice(-20).join('\n')]
      .filter(Boolean)
      .join('\n');
    await cleanUp();
    throw new PlaygroundUnavailableError(
      `the Agents Playground ${cli.version} could not be started: ${error instanceof Error ? error.message : String(error)}` +
        (details === '' ? '' : `\n${details}`),
      { cause: error },
    );
  }
}

async function waitUntil(probe: () => Promise<boolean>, deadline: number): Promise<void> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('its REST API did not answer /_debug/ping in time', { cause: lastError });
}

async function stopChild(child: ChildProcess): Promise<void> {
  // No pid: it never started (spawn failed), so there is no exit to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
