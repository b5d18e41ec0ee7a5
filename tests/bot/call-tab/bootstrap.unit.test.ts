import assert from 'node:assert/strict';
import type { RequestIdentity } from '../../../bot/src/auth/request-identity.js';
import { createBootstrap, type BootstrapDeps } from '../../../bot/src/call-tab/bootstrap.js';
import type { GraphClient } from '../../../bot/src/integrations/graph/graph.client.js';
import { ok } from '../../../bot/src/shared/result.js';
import { captureLogs } from '../../support/log-capture.js';

/**
 * The bootstrap starts the Webex and presence-sync reads before Graph answers; one of them failing
 * early must become a problem in the answer, not an unhandled rejection (which ends the process
 * under Node's default `--unhandled-rejections=throw`).
 */
describe('bootstrap (unit): early failures of parallel sections', () => {
  it('reports sync and webex failing before Graph answers as problems, with no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.prependListener('unhandledRejection', onUnhandled);
    try {
      let releaseGraph: () => void = () => undefined;
      const graphHeld = new Promise<void>((resolve) => {
        releaseGraph = resolve;
      });
      const client = {
        getMe: () => Promise.resolve(ok({ id: 'aad-1', displayName: 'Someone' })),
        getPresence: () => Promise.resolve(ok([])),
      } as unknown as GraphClient;
      const deps: BootstrapDeps = {
        logger: captureLogs().logger,
        sessions: {
          forUser: () => Promise.reject(new Error('not used')),
          forRequest: async () => {
            await graphHeld;
            return ok(client);
          },
        },
        speedDials: {
          read: () => Promise.resolve(ok({ entries: [], version: 'v0', bytesUsed: 0, bytesMax: 2048 })),
          write: () => Promise.reject(new Error('not used')),
        },
        webex: { status: () => Promise.reject(new Error('store down')) },
        syncStatus: () => Promise.reject(new Error('store down')),
      };
      const answer = createBootstrap(deps)({ user: { id: 'user-1' } } as unknown as RequestIdentity);
      // Let the early rejections reach Node's unhandled-rejection check before Graph answers.
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      releaseGraph();
      const body = await answer;

      assert.deepEqual(unhandled, []);
      assert.deepEqual(body.problems, [
        { section: 'webex', code: 'unavailable' },
        { section: 'sync', code: 'unavailable' },
      ]);
      assert.equal(body.profile?.aadObjectId, 'aad-1');
    } finally {
      process.removeListener('unhandledRejection', onUnhandled);
    }
  });
});
