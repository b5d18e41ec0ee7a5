import type { Route } from '../route.js';

/** Liveness: the process answers. Deliberately checks nothing else. */
export function getHealthz(): Route {
  return {
    method: 'get',
    path: '/healthz',
    handler: async (_req, res) => {
      res.json({ status: 'ok' });
      return Promise.resolve();
    },
  };
}
