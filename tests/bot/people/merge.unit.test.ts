import assert from 'node:assert/strict';
import {
  matchRank,
  mergeCandidates,
  page,
  rankPeople,
  type Candidate,
} from '../../../bot/src/people/merge.js';
import { speedDialCandidates } from '../../../bot/src/people/people-search.js';

const AAD_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const AAD_B = 'bbbbbbbb-0000-4000-8000-000000000002';

function c(partial: Partial<Candidate> & Pick<Candidate, 'source' | 'displayName'>): Candidate {
  return { phones: [], ...partial };
}

describe('people merge (unit)', () => {
  describe('matchRank', () => {
    it('prefix of the name or email is 0, a word prefix is 1, otherwise no match', () => {
      assert.equal(matchRank('ade', 'Adele Vance'), 0);
      assert.equal(matchRank('ADELE VANCE', 'Adele Vance'), 0);
      assert.equal(matchRank('van', 'Adele Vance'), 1);
      assert.equal(matchRank('vance', 'Someone', 'adele.vance@contoso.example'), 1);
      assert.equal(matchRank('obr', "Siobhan O'Brien"), 1);
      assert.equal(matchRank('ad va', 'Adele Vance'), 1);
      assert.equal(matchRank('nce', 'Adele Vance'), undefined);
      assert.equal(matchRank('', 'Anyone'), 0);
    });
  });

  describe('mergeCandidates', () => {
    it('merges by object id, keeps every source best first and fills gaps from later sources', () => {
      const people = mergeCandidates([
        c({
          source: 'directory',
          aadObjectId: AAD_A,
          displayName: 'Adele V.',
          jobTitle: 'Engineer',
          phones: [{ type: 'business', number: '+1 425 555 0100' }],
        }),
        c({
          source: 'conversation',
          aadObjectId: AAD_A.toUpperCase(),
          displayName: 'Adele Vance',
          email: 'adele@contoso.example',
        }),
      ]);
      assert.equal(people.length, 1);
      const [p] = people;
      assert.equal(p?.key, `aad:${AAD_A}`);
      assert.equal(p.displayName, 'Adele Vance', 'the best source names the person');
      assert.equal(p.jobTitle, 'Engineer');
      assert.deepEqual(p.sources, ['conversation', 'directory']);
      assert.equal(p.phones.length, 1);
    });

    it('merges by email case-insensitively, then by phone digits', () => {
      const people = mergeCandidates([
        c({
          source: 'directory',
          aadObjectId: AAD_A,
          displayName: 'Adele Vance',
          email: 'Adele@Contoso.example',
        }),
        c({
          source: 'contacts',
          displayName: 'Adele (Outlook)',
          email: 'adele@contoso.example',
          phones: [{ type: 'mobile', number: '+44 7700 900123' }],
        }),
        c({
          source: 'speedDials',
          displayName: 'Adele mobile',
          phones: [{ type: 'other', number: '+44-7700-900-123' }],
        }),
      ]);
      assert.equal(people.length, 1);
      assert.deepEqual(people[0]?.sources, ['speedDials', 'directory', 'contacts']);
      assert.equal(people[0].aadObjectId, AAD_A);
      assert.equal(people[0].phones.length, 1, 'the same number is kept once');
    });

    it('never joins two directory objects on a shared number, nor on short extensions', () => {
      const people = mergeCandidates([
        c({
          source: 'directory',
          aadObjectId: AAD_A,
          displayName: 'A',
          phones: [{ type: 'business', number: '+1 425 555 0100' }],
        }),
        c({
          source: 'directory',
          aadObjectId: AAD_B,
          displayName: 'B',
          phones: [{ type: 'business', number: '+1 425 555 0100' }],
        }),
        c({ source: 'speedDials', displayName: 'Ext 1', phones: [{ type: 'other', number: '2001' }] }),
        c({ source: 'contacts', displayName: 'Ext 2', phones: [{ type: 'other', number: '2001' }] }),
      ]);
      assert.equal(people.length, 4);
      assert.deepEqual(
        people.map((p) => p.key).sort(),
        [`aad:${AAD_A}`, `aad:${AAD_B}`, 'tel:2001', 'tel:2001'].sort(),
      );
    });

    it('drops candidates with nothing to call and keys mail before tel', () => {
      const people = mergeCandidates([
        c({ source: 'contacts', displayName: 'Nobody' }),
        c({
          source: 'contacts',
          displayName: 'Mail',
          email: 'X@Y.example',
          phones: [{ type: 'mobile', number: '+1 206 555 7001' }],
        }),
      ]);
      assert.deepEqual(
        people.map((p) => p.key),
        ['mail:x@y.example'],
      );
    });
  });

  describe('rankPeople', () => {
    it('ranks conversation, speed dials, directory, contacts; prefix before word; then alphabetical', () => {
      const merged = mergeCandidates([
        c({ source: 'contacts', displayName: 'Sam Contact', email: 'sam@c.example' }),
        c({ source: 'directory', displayName: 'Zed Samuels', aadObjectId: AAD_B }),
        c({ source: 'directory', displayName: 'Sam Directory', email: 'samd@contoso.example' }),
        c({
          source: 'speedDials',
          displayName: 'Sam Speed',
          phones: [{ type: 'other', number: '+1 555 010 0000' }],
        }),
        c({ source: 'conversation', displayName: 'Bob Samson', aadObjectId: AAD_A }),
        c({ source: 'conversation', displayName: 'Sam Member', email: 'sm@contoso.example' }),
        c({ source: 'conversation', displayName: 'Sally Member', email: 'sally@contoso.example' }),
      ]);
      assert.deepEqual(
        rankPeople(merged, 'sa').map((p) => p.displayName),
        [
          'Sally Member',
          'Sam Member',
          'Bob Samson',
          'Sam Speed',
          'Sam Directory',
          'Zed Samuels',
          'Sam Contact',
        ],
      );
    });
  });

  describe('page', () => {
    it('slices skip/count and says whether more exist', () => {
      const items = [1, 2, 3, 4, 5];
      assert.deepEqual(page(items, 0, 2), { items: [1, 2], hasMore: true });
      assert.deepEqual(page(items, 3, 2), { items: [4, 5], hasMore: false });
      assert.deepEqual(page(items, 10, 2), { items: [], hasMore: false });
    });
  });

  describe('speedDialCandidates', () => {
    it('reads the JSON entries, skips junk, filters by label word or number digits', () => {
      const ext = {
        entries: JSON.stringify([
          { label: 'Front desk', number: '+1 425 555 0199' },
          { label: 'Mum', number: '+44 7700 900555', aadObjectId: AAD_A },
          { label: 'No number' },
          'junk',
          null,
        ]),
      };
      assert.deepEqual(
        speedDialCandidates(ext, '').map((x) => x.displayName),
        ['Front desk', 'Mum'],
      );
      assert.deepEqual(
        speedDialCandidates(ext, 'desk').map((x) => x.displayName),
        ['Front desk'],
      );
      assert.deepEqual(
        speedDialCandidates(ext, '+44 77').map((x) => x.displayName),
        ['Mum'],
      );
      assert.equal(speedDialCandidates(ext, 'mum')[0]?.aadObjectId, AAD_A);
      assert.deepEqual(speedDialCandidates({ entries: '{not json' }, ''), []);
      assert.deepEqual(speedDialCandidates(undefined, ''), []);
      assert.deepEqual(speedDialCandidates({ entries: '{"a":1}' }, ''), []);
    });
  });
});
