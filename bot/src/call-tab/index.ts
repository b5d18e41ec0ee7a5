import { deleteCall } from '../http/routes/deleteCall.js';
import { getBootstrap } from '../http/routes/getBootstrap.js';
import { getCall } from '../http/routes/getCall.js';
import { getPeople } from '../http/routes/getPeople.js';
import { getRecentCalls } from '../http/routes/getRecentCalls.js';
import { getSpeedDials } from '../http/routes/getSpeedDials.js';
import { getVoicemail } from '../http/routes/getVoicemail.js';
import { postCalls } from '../http/routes/postCalls.js';
import { postVoicemailRead } from '../http/routes/postVoicemailRead.js';
import { putSpeedDials } from '../http/routes/putSpeedDials.js';
import type { Route } from '../http/route.js';
import type { CallTabDeps } from './deps.js';

export type { CallTabDeps, SyncStatus } from './deps.js';
export { createGraphSessions, type GraphSessions } from './graph-session.js';

/** The Call tab's API (bootstrap, speed dials, people, calls, recent calls, voicemail). */
export function callTabRoutes(deps: CallTabDeps): Route[] {
  return [
    getBootstrap(deps),
    getSpeedDials(deps),
    putSpeedDials(deps),
    getPeople(deps),
    postCalls(deps),
    getRecentCalls(deps),
    getCall(deps),
    deleteCall(deps),
    getVoicemail(deps),
    postVoicemailRead(deps),
  ];
}
