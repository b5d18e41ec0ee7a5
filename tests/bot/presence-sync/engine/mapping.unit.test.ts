import assert from 'node:assert/strict';
import {
  DEFAULT_MAPPING,
  mapsMeetings,
  meetingFromPersonStatus,
} from '../../../../bot/src/presence-sync/engine/mapping.js';
import { PERSON_STATUSES } from '../../../../sandbox/src/webex/presence.js';

describe('presence mapping: Webex Person.status', function () {
  it("reads every documented status value (the sandbox stand-in's list, from the OpenAPI enum)", function () {
    assert.deepEqual(
      Object.fromEntries(
        [...PERSON_STATUSES, 'a-value-added-later'].map((s) => [s, meetingFromPersonStatus(s)]),
      ),
      {
        active: { inMeeting: false, presenting: false },
        call: { hiddenBy: 'call' },
        DoNotDisturb: { hiddenBy: 'dnd' },
        inactive: { inMeeting: false, presenting: false },
        meeting: { inMeeting: true, presenting: false },
        OutOfOffice: { inMeeting: false, presenting: false },
        pending: { inMeeting: false, presenting: false },
        presenting: { inMeeting: true, presenting: true },
        unknown: { inMeeting: false, presenting: false },
        'a-value-added-later': { inMeeting: false, presenting: false },
      },
    );
  });

  it('needs the status only while the table maps meetings or presenting', function () {
    assert.equal(mapsMeetings(DEFAULT_MAPPING), true);
    const callsOnly = {
      ...DEFAULT_MAPPING,
      webexToTeams: { ...DEFAULT_MAPPING.webexToTeams, meeting: null, presenting: null },
    };
    assert.equal(mapsMeetings(callsOnly), false);
  });
});
