import assert from 'node:assert/strict';
import type { MessagingExtensionAttachment } from 'botbuilder';
import type { Person } from '../../../bot/src/people/person.js';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  CALL_VERB,
  CALL_WITH_WEBEX_TITLE,
  CARD_SIZE_LIMIT_BYTES,
  MAX_DIAL_ACTIONS,
  THUMBNAIL_CARD_CONTENT_TYPE,
  cardSizeBytes,
  escapeMarkdown,
  normaliseDialNumber,
  personAttachment,
  presenceText,
  webexDialUrl,
} from '../../../bot/src/messaging-extension/cards/person-card.js';
import { assertValidAdaptiveCard15 } from './adaptive-card-validator.js';

/**
 * The messaging extension's person card: every card is parsed and validated by the official
 * Adaptive Cards renderer (`adaptivecards`, targeting schema 1.5), and any parse or validation
 * event fails the test.
 */

interface CardAction {
  readonly type: string;
  readonly title: string;
  readonly url?: string;
  readonly data?: unknown;
}
interface CardJson {
  readonly $schema: string;
  readonly type: string;
  readonly version: string;
  readonly body: readonly Record<string, unknown>[];
  readonly actions?: readonly CardAction[];
}

function contentOf(attachment: MessagingExtensionAttachment): CardJson {
  return attachment.content as CardJson;
}

/** The official renderer at 1.5 takes it without an event, and it fits how Teams lists results. */
function assertValidCard(attachment: MessagingExtensionAttachment): void {
  assert.equal(attachment.contentType, ADAPTIVE_CARD_CONTENT_TYPE);
  const json = contentOf(attachment);
  assertValidAdaptiveCard15(json);
  assert.ok((json.actions ?? []).length <= MAX_DIAL_ACTIONS + 1, 'Teams shows at most 5 buttons here');
  assert.ok(cardSizeBytes(attachment) <= CARD_SIZE_LIMIT_BYTES, 'size');
  // Teams lists Adaptive results only with a hero/thumbnail preview.
  assert.equal(attachment.preview?.contentType, THUMBNAIL_CARD_CONTENT_TYPE);
}

const ada: Person = {
  key: 'aad:11111111-1111-1111-1111-111111111111',
  aadObjectId: '11111111-1111-1111-1111-111111111111',
  displayName: 'Ada Lovelace',
  jobTitle: 'Principal Engineer',
  department: 'Analytical Engines',
  email: 'ada@contoso.example',
  phones: [
    { type: 'mobile', number: '+44 7700 900123' },
    { type: 'business', number: '+44 (0)20 7946 0001' },
    { type: 'home', number: '020 7946 0999' },
  ],
  sources: ['directory'],
  presence: { availability: 'Busy', activity: 'InACall' },
};

const variants: Record<string, Person> = {
  'several phones and presence': ada,
  'no phones': {
    key: 'mail:grace@contoso.example',
    displayName: 'Grace Hopper',
    email: 'grace@contoso.example',
    phones: [],
    sources: ['contacts'],
  },
  'no presence, no title': {
    key: 'tel:15550100',
    displayName: 'Reception',
    phones: [{ type: 'other', number: '555-0100' }],
    sources: ['speedDials'],
  },
  'markdown-y name': {
    ...ada,
    key: 'aad:2',
    displayName: '*Bob* [x](javascript:alert(1)) <https://evil.example> `rm` # _hi_',
    jobTitle: '- list',
    department: '1. first',
    email: 'bob_smith@contoso.example',
  },
  'very long name': {
    ...ada,
    key: 'aad:3',
    displayName: 'W'.repeat(5_000),
    jobTitle: 'T'.repeat(5_000),
    department: 'D'.repeat(5_000),
  },
  'unknown presence values and an undiallable number': {
    ...ada,
    key: 'aad:4',
    presence: { availability: 'SomethingNew', activity: 'Whatever' },
    phones: [
      { type: 'mobile', number: 'n/a' },
      { type: 'business', number: '+1 (555) 010-0200 #7' },
    ],
  },
  'empty display name': { ...ada, key: 'aad:5', displayName: '  \n ' },
};

describe('messaging extension person card', () => {
  describe('validates with the official Adaptive Cards renderer (1.5)', () => {
    for (const [name, person] of Object.entries(variants)) {
      it(name, () => {
        assertValidCard(personAttachment(person));
      });
    }
  });

  it('the validator itself fails on an invalid card (guards the guard)', () => {
    const good = personAttachment(ada);
    const bad = (content: Record<string, unknown>): MessagingExtensionAttachment => ({ ...good, content });
    const card = contentOf(good);
    assert.throws(() => {
      assertValidCard(bad({ ...card, body: [{ type: 'TextBlock', text: 'x', color: 'Purple' }] }));
    });
    assert.throws(() => {
      assertValidCard(bad({ ...card, body: [{ type: 'NoSuchElement' }] }));
    });
    assert.throws(() => {
      assertValidCard(bad({ ...card, actions: [{ type: 'Action.Nope', title: 'x' }] }));
    });
  });

  it('renders name (bolder), title · department, presence as words with colour, numbers with type, email', () => {
    const attachment = personAttachment(ada);
    const body = contentOf(attachment).body;
    assert.deepEqual(body[0], {
      type: 'TextBlock',
      text: 'Ada Lovelace',
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
    });
    assert.equal(body[1]?.['text'], 'Principal Engineer · Analytical Engines');
    assert.deepEqual(
      { text: body[2]?.['text'], color: body[2]?.['color'] },
      { text: 'Busy — in a call', color: 'Attention' },
    );
    assert.deepEqual(body[3], {
      type: 'FactSet',
      facts: [
        { title: 'Mobile', value: '+44 7700 900123' },
        { title: 'Work', value: '+44 \\(0\\)20 7946 0001' },
        { title: 'Home', value: '020 7946 0999' },
        { title: 'Email', value: 'ada@contoso.example' },
      ],
    });
    assert.deepEqual(attachment.preview?.content, {
      title: 'Ada Lovelace',
      text: 'Principal Engineer · Analytical Engines',
    });
  });

  it('has one Webex deep link per number and "Call with Webex" (Action.Execute with the first number and the name)', () => {
    const actions = contentOf(personAttachment(ada)).actions ?? [];
    assert.deepEqual(actions, [
      { type: 'Action.OpenUrl', title: 'Call mobile', url: 'webextel://login?telephone=%2B447700900123' },
      { type: 'Action.OpenUrl', title: 'Call work', url: 'webextel://login?telephone=%2B440207946000' + '1' },
      { type: 'Action.OpenUrl', title: 'Call home', url: 'webextel://login?telephone=02079460999' },
      {
        type: 'Action.Execute',
        title: CALL_WITH_WEBEX_TITLE,
        verb: CALL_VERB,
        data: { number: '+447700900123', name: 'Ada Lovelace' },
      },
    ]);
  });

  it('"Call with Webex" carries no name when the person has none', () => {
    const nameless = variants['empty display name'];
    assert.ok(nameless);
    const execute = (contentOf(personAttachment(nameless)).actions ?? []).at(-1);
    assert.deepEqual(execute?.data, { number: '+447700900123' });
  });

  it('has no call buttons for a person without a diallable number', () => {
    const grace = variants['no phones'];
    assert.ok(grace);
    assert.equal(contentOf(personAttachment(grace)).actions, undefined);
  });

  it('numbers duplicate types and de-duplicates equal numbers; caps the number buttons', () => {
    const many: Person = {
      ...ada,
      phones: [
        { type: 'mobile', number: '+1 555 0101' },
        { type: 'mobile', number: '+1-555-0101' },
        { type: 'mobile', number: '+1 555 0102' },
        { type: 'business', number: '+1 555 0103' },
        { type: 'business', number: '+1 555 0104' },
        { type: 'other', number: '+1 555 0105' },
      ],
    };
    const card = contentOf(personAttachment(many));
    assert.deepEqual(
      (card.actions ?? []).map((a) => a.title),
      ['Call mobile 1', 'Call mobile 2', 'Call work 1', 'Call work 2', CALL_WITH_WEBEX_TITLE],
    );
    const facts = card.body.find((e) => e['type'] === 'FactSet')?.['facts'] as { title: string }[];
    assert.equal(facts.length, 6, 'five distinct numbers and the email');
  });

  it('uses tel: links when asked', () => {
    const actions = contentOf(personAttachment(ada, { dialScheme: 'tel' })).actions ?? [];
    assert.equal(actions[0]?.url, 'tel:+447700900123');
  });

  describe('escaping', () => {
    it('renders markdown-y names literally', () => {
      assert.equal(escapeMarkdown('*Bob*'), '\\*Bob\\*');
      assert.equal(escapeMarkdown('_Bob_'), '\\_Bob\\_');
      assert.equal(escapeMarkdown('[x](javascript:alert(1))'), '\\[x\\]\\(javascript:alert\\(1\\)\\)');
      assert.equal(escapeMarkdown('<https://evil.example>'), '\\<https://evil.example\\>');
      assert.equal(escapeMarkdown('`code` ~~s~~ a|b'), '\\`code\\` \\~\\~s\\~\\~ a\\|b');
      assert.equal(escapeMarkdown('&amp; \\*'), '\\&amp; \\\\\\*');
      assert.equal(escapeMarkdown('# Heading'), '\\# Heading');
      assert.equal(escapeMarkdown('- item'), '\\- item');
      assert.equal(escapeMarkdown('+ item'), '\\+ item');
      assert.equal(escapeMarkdown('1. item'), '1\\. item');
      assert.equal(escapeMarkdown('2) item'), '2\\) item');
      assert.equal(escapeMarkdown('line one\r\nline two\u2028three'), 'line one line two three');
    });

    it('leaves ordinary names, numbers and addresses readable', () => {
      assert.equal(escapeMarkdown("Zoë O'Brien-Smith"), "Zoë O'Brien-Smith");
      assert.equal(escapeMarkdown('+1 555-0100'), '+1 555-0100');
      assert.equal(escapeMarkdown('--- x'), '\\--- x');
      assert.equal(escapeMarkdown('2.0 Team'), '2.0 Team');
      assert.equal(escapeMarkdown('ada.lovelace@contoso.example'), 'ada.lovelace@contoso.example');
      assert.equal(escapeMarkdown('R&D · Team 2.0'), 'R\\&D · Team 2.0');
    });

    it('round-trips: removing the escapes gives back the text', () => {
      const samples = ['*a* _b_ [c](d) <e> `f` ~g~ |h| &i; \\j', '# x', '10. y', '- z', 'plain'];
      for (const s of samples) {
        const escaped = escapeMarkdown(s);
        assert.equal(escaped.replace(/\\([\\`*_[\]()<>~|&#+\-=.])/g, '$1'), s);
        // No markdown opener stays unescaped.
        assert.equal(/(^|[^\\])(\\\\)*[*_[\]`<>~|&]/.test(escaped), false, escaped);
      }
    });

    it('puts the escaped name in every card text and plain text in the preview', () => {
      const person = variants['markdown-y name'];
      assert.ok(person);
      const attachment = personAttachment(person);
      const card = contentOf(attachment);
      assert.equal(card.body[0]?.['text'], escapeMarkdown(person.displayName));
      assert.equal(card.body[1]?.['text'], '\\- list · 1. first');
      // What is rendered is escaped; the Call action's data keeps the plain name (never rendered as markdown).
      const rendered = JSON.stringify([card.body, (card.actions ?? []).map((a) => a.title)]);
      assert.equal(rendered.includes('[x](javascript'), false);
      assert.equal(rendered.includes('*Bob*'), false);
      assert.equal((attachment.preview?.content as { title: string }).title, person.displayName);
    });

    it('caps very long lines', () => {
      const person = variants['very long name'];
      assert.ok(person);
      const attachment = personAttachment(person);
      const name = contentOf(attachment).body[0]?.['text'] as string;
      assert.equal(Array.from(name).length, 200);
      assert.ok(name.endsWith('…'));
    });
  });

  describe('deep links', () => {
    it('normalises and encodes', () => {
      assert.equal(webexDialUrl('+1 (555) 010-0200'), 'webextel://login?telephone=%2B15550100200');
      assert.equal(webexDialUrl('555.0100'), 'webextel://login?telephone=5550100');
      assert.equal(webexDialUrl('*67 555 0100#'), 'webextel://login?telephone=*675550100%23');
      assert.equal(webexDialUrl('+1 555 0100', 'tel'), 'tel:+15550100');
      assert.equal(webexDialUrl('*21#', 'tel'), 'tel:*21%23');
      assert.equal(webexDialUrl('555&x=1?y#z'), 'webextel://login?telephone=5551%23');
    });

    it('rejects numbers that are empty after normalisation', () => {
      for (const bad of ['', '   ', 'n/a', '+', '()-', '*#', 'ext.', '1'.repeat(33)]) {
        assert.equal(normaliseDialNumber(bad), undefined, bad);
        assert.equal(webexDialUrl(bad), undefined, bad);
      }
    });
  });

  describe('presence', () => {
    it('says it in words with an agreeing colour', () => {
      assert.deepEqual(presenceText({ availability: 'Available', activity: 'Available' }), {
        text: 'Available',
        color: 'Good',
      });
      assert.deepEqual(presenceText({ availability: 'Busy', activity: 'InAMeeting' }), {
        text: 'Busy — in a meeting',
        color: 'Attention',
      });
      assert.deepEqual(presenceText({ availability: 'Away', activity: 'OutOfOffice' }), {
        text: 'Away — out of office',
        color: 'Warning',
      });
      assert.deepEqual(presenceText({ availability: 'Nope', activity: 'Nope' }), {
        text: 'Presence unknown',
        color: 'Default',
      });
    });
  });

  describe('size', () => {
    it('trims numbers from a pathological person until the card fits', () => {
      const phones = Array.from({ length: 2_000 }, (_, i) => ({
        type: 'other' as const,
        number: `+1 (555) ${String(i).padStart(4, '0')} ${'9'.repeat(8)}`,
      }));
      const person: Person = {
        ...ada,
        displayName: '*'.repeat(10_000),
        jobTitle: '['.repeat(10_000),
        phones,
      };
      const attachment = personAttachment(person);
      const size = cardSizeBytes(attachment);
      assert.ok(size <= CARD_SIZE_LIMIT_BYTES, `${size} bytes`);
      const facts = contentOf(attachment).body.find((e) => e['type'] === 'FactSet')?.['facts'] as unknown[];
      assert.ok(facts.length > 10 && facts.length < 2_000, `${facts.length} facts kept`);
      // The best (first) numbers are the ones kept.
      assert.deepEqual((facts[0] as { value: string }).value, '+1 \\(555\\) 0000 99999999');
      assertValidCard(attachment);
    });

    it('leaves a normal card alone', () => {
      const attachment = personAttachment(ada);
      assert.ok(cardSizeBytes(attachment) < 4_096);
    });
  });
});
