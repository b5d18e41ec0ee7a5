/**
 * `npm run sandbox:playground`: the CallBridge service in sandbox mode with
 * DANGEROUSLY_ALLOW_UNAUTHENTICATED_BOT=true, and the Microsoft 365 Agents Playground pointed at
 * its /api/messages. See README.md beside this file.
 *
 *   PLAYGROUND_SERVICE_PORT  the service (default 3979, beside `npm start`'s 3978)
 *   PLAYGROUND_PORT          the Playground (default 56150, its own default)
 *   PLAYGROUND_BROWSER=none  do not open a browser
 */
import { composeService } from '../../../bot/src/compose.js';
import { loadConfig } from '../../../bot/src/config/env.js';
import { playgroundServiceEnv } from './service-env.js';
import { PLAYGROUND_DEFAULT_PORT, startPlaygroundSession, type PlaygroundSession } from './session.js';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<number> {
  const env = process.env;
  const liveAsked =
    env.CALLBRIDGE_MODE === 'live' ||
    (env.CALLBRIDGE_MODE === undefined && (env.AAD_APP_TENANT_ID ?? '') !== '');
  if (liveAsked) {
    process.stderr.write(
      'The Agents Playground only talks to an unauthenticated bot, which CallBridge allows in sandbox mode only.\n' +
        'Unset CALLBRIDGE_MODE=live / AAD_APP_TENANT_ID to run it.\n',
    );
    return 78;
  }
  const loaded = loadConfig(
    playgroundServiceEnv(env, {
      PORT: env.PLAYGROUND_SERVICE_PORT ?? '3979',
      DATA_DIR: env.DATA_DIR ?? '.data/playground',
    }),
  );
  if (!loaded.ok) {
    process.stderr.write(`${loaded.error.message}\n`);
    return 78;
  }
  const composed = await composeService(loaded.value);
  if (!composed.ok) {
    process.stderr.write(`CallBridge could not start: ${composed.error.message}\n`);
    return 1;
  }
  const { service } = composed.value;
  const servicePort = await service.start();
  const botEndpoint = `http://127.0.0.1:${servicePort}/api/messages`;

  let running: PlaygroundSession;
  try {
    running = await startPlaygroundSession({
      botEndpoint,
      port: Number(env.PLAYGROUND_PORT ?? PLAYGROUND_DEFAULT_PORT),
      openBrowser: env.PLAYGROUND_BROWSER !== 'none',
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    await service.stop();
    return 1;
  }
  say('');
  say(`CallBridge (sandbox, UNAUTHENTICATED bot traffic accepted): ${botEndpoint}`);
  say(`Microsoft 365 Agents Playground ${running.version}: ${running.url}`);
  say(
    'Open the Playground, write in the personal chat, or try the compose-box search (it asks for Teams SSO, which the Playground does not have). Ctrl+C stops both.',
  );

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void running
      .close()
      .then(() => service.stop())
      .then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return 0;
}

main().then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(
      `sandbox:playground crashed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
