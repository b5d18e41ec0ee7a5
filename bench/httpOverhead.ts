import { HTTP_LOAD, HTTP_ROUNDS, LOAD_COLUMNS, loadNote, loadRow, type Benchmark } from './lib/bench.js';
import { combineRounds, type LoadResult, type LoadSpec } from './lib/load.js';
import {
  INTAKE_PATH,
  graphNotificationTemplate,
  intakeRoute,
  startBareServer,
  startOurService,
} from './lib/servers.js';

/**
 * What restify and our server wrapper (correlation id, body reading, metrics, error mapping)
 * cost per request, against Node's bare HTTP server under the same load in the same run. The
 * four cases alternate over rounds so a slow moment of the machine hits them all alike.
 */
export const httpOverhead: Benchmark = {
  id: 'http',
  async run(ctx) {
    const bare = await startBareServer();
    const ours = await startOurService([intakeRoute()]);
    const body = graphNotificationTemplate();
    const cases: readonly (readonly [string, Omit<LoadSpec, keyof typeof HTTP_LOAD>])[] = [
      ['bare node:http GET → 202', { url: `${bare.base}/`, method: 'GET', expectStatus: 202 }],
      ['ours GET /healthz → 200', { url: `${ours.base}/healthz`, method: 'GET', expectStatus: 200 }],
      [
        'bare node:http POST → 202',
        { url: `${bare.base}/`, method: 'POST', bodyTemplate: body, expectStatus: 202 },
      ],
      [
        'ours POST JSON intake → 202',
        { url: `${ours.base}${INTAKE_PATH}`, method: 'POST', bodyTemplate: body, expectStatus: 202 },
      ],
    ];
    const rounds = cases.map((): LoadResult[] => []);
    try {
      for (let round = 0; round < HTTP_ROUNDS; round += 1) {
        for (const [index, [, spec]] of cases.entries())
          rounds[index]?.push(await ctx.load.run({ ...HTTP_LOAD, ...spec }));
      }
    } finally {
      await ours.close();
      await bare.close();
    }
    const [bareGet, healthz, barePost, intake] = rounds.map(combineRounds) as [
      LoadResult,
      LoadResult,
      LoadResult,
      LoadResult,
    ];
    ctx.recordBare('GET', bareGet);
    ctx.recordBare('POST', barePost);
    const results = [bareGet, healthz, barePost, intake];
    return {
      id: 'http',
      title: `HTTP overhead (${HTTP_LOAD.concurrency} in flight; ${HTTP_ROUNDS} rounds of ${HTTP_LOAD.requests.toLocaleString('en-US')} requests after ${HTTP_LOAD.warmup.toLocaleString('en-US')} warm-up; medians)`,
      columns: LOAD_COLUMNS,
      rows: cases.map(([name], i) => loadRow(name, results[i]!, i < 2 ? bareGet : barePost)),
      notes: [
        `POST body: one Graph presence notification with encrypted content, ${Buffer.byteLength(body)} bytes; ours parses it, checks its shape and hashes it for the dedupe key`,
        ...cases.map(([name], i) => loadNote(name, results[i]!)),
      ],
      raw: Object.fromEntries(cases.map(([name], i) => [name, { median: results[i], rounds: rounds[i] }])),
    };
  },
};
