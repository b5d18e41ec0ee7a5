import assert from 'node:assert/strict';
import {
  parseCommand,
  parseSubmit,
  SUBMIT_ACTIONS,
  unlinkConfirmCard,
  welcomeCard,
  type BotCommand,
} from '../../../bot/src/teams/commands/index.js';

describe('bot command parser', () => {
  const cases: readonly (readonly [string, BotCommand])[] = [
    ['help', { kind: 'help' }],
    ['  HELP  ', { kind: 'help' }],
    ['Help!', { kind: 'help' }],
    ['/help', { kind: 'help' }],
    ['', { kind: 'help' }],
    ['hi', { kind: 'help' }],
    ['Hello', { kind: 'help' }],
    ['status', { kind: 'status' }],
    ['  Status. ', { kind: 'status' }],
    ['link webex', { kind: 'link_webex' }],
    ['LINK    Webex', { kind: 'link_webex' }],
    ['link', { kind: 'link_webex' }],
    ['unlink webex', { kind: 'unlink_webex' }],
    ['Unlink', { kind: 'unlink_webex' }],
    ['sync on', { kind: 'sync', on: true }],
    ['SYNC  ON', { kind: 'sync', on: true }],
    ['sync presence on', { kind: 'sync', on: true }],
    ['sync off', { kind: 'sync', on: false }],
    ['Sync Off!', { kind: 'sync', on: false }],
    ['call Megan Bowen', { kind: 'call', query: 'Megan Bowen' }],
    ['CALL   megan ', { kind: 'call', query: 'megan' }],
    ['call', { kind: 'call', query: '' }],
    ['sync', { kind: 'unknown', text: 'sync' }],
    ['sync maybe', { kind: 'unknown', text: 'sync maybe' }],
    ['calling', { kind: 'unknown', text: 'calling' }],
    ['make   coffee', { kind: 'unknown', text: 'make coffee' }],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(parseCommand(text), expected);
    });
  }

  it("reads our cards' Action.Submit values and ignores anything else", () => {
    assert.deepEqual(parseSubmit({ action: SUBMIT_ACTIONS.syncOn }), { kind: 'sync', on: true });
    assert.deepEqual(parseSubmit({ action: SUBMIT_ACTIONS.linkWebex }), { kind: 'link_webex' });
    assert.deepEqual(parseSubmit({ action: SUBMIT_ACTIONS.unlinkConfirm }), { kind: 'unlink_webex_confirm' });
    assert.deepEqual(parseSubmit({ action: SUBMIT_ACTIONS.unlinkCancel }), { kind: 'unlink_webex_cancel' });
    for (const value of [undefined, null, 'sync_on', 42, {}, { action: 'delete_everything' }, { action: 1 }])
      assert.equal(parseSubmit(value), undefined, JSON.stringify(value));
  });

  it('every Action.Submit in our cards parses back to a command', () => {
    for (const card of [
      welcomeCard(undefined),
      welcomeCard('https://teams.microsoft.com/l/entity/x/call'),
      unlinkConfirmCard(),
    ]) {
      const actions = card.actions as readonly { type: string; data?: unknown }[];
      for (const action of actions.filter((a) => a.type === 'Action.Submit'))
        assert.ok(parseSubmit(action.data) !== undefined, JSON.stringify(action));
    }
  });
});
