import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { MessagingExtensionAttachment } from 'botbuilder';
import type { Person } from '../../../bot/src/people/person.js';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  CALL_ACTION,
  CALL_WITH_WEBEX_TITLE,
  CARD_SIZE_LIMIT_BYTES,
  MAX_DIAL_ACTIONS,
  SET_UP_WEBEX_TITLE,
  THUMBNAIL_CARD_CONTENT_TYPE,
  cardSizeBytes,
  escapeMarkdown,
  normaliseDialNumber,
  personAttachment,
  presenceText,
  webexDialUrl,
} from '../../../bot/src/messaging-extension/cards/person-card.js';

/**
 * The messaging extension's person card: every card is parsed and validated by the official
 * Adaptive Cards renderer (`adaptivecards`, targeting schema 1.5), and any parse or validation
 * event fails the test.
 */

// The official renderer ships as CommonJS (UMD); only the parts used here are typed.
interface AcEvent {
  readonly message: string;
}
interface AcSerializationContext {
  readonly eventCount: number;
  getEventAt(index: number): AcEvent;
}
interface AcCard {
  parse(source: unknown, context: AcSerializationContext): void;
  validateProperties(): { readonly validationEvents: readonly AcEvent[] };
  toJSON(): unknown;
}
interface AdaptiveCardsModule {
  readonly AdaptiveCard: new () => AcCard;
  readonly SerializationContext: new (version: unknown) => AcSerializationContext;
  readonly Versions: { readonly v1_5: unknown };
}
const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsModule;

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

/** Parses with the official renderer at 1.5; fails on any parse or validation event. */
function assertValidCard(attachment: MessagingExtensionAttachment): void {
  assert.equal(attachment.contentType, ADAPTIVE_CARD_CONTENT_TYPE);
  const json = contentOf(attachment);
  assert.equal(json.type, 'AdaptiveCard');
  assert.equal(json.version, '1.5');
  assert.equal(json.$schema, 'http://adaptivecards.io/schemas/adaptive-card.json');
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const card = new AC.AdaptiveCard();
  card.parse(json, context);
  const events = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
  assert.deepEqual(events, [], 'parse events');
  assert.deepEqual(
    card.validateProperties().validationEvents.map((e) => e.message),
    [],
    'validation events',
  );
  // Nothing we send is dropped by the renderer (an unknown property or element would be).
  const reserialised = JSON.stringify(card.toJSON());
  for (const element of json.body) {
    for (const [key, value] of Object.entries(element)) {
      if (typeof value === 'string') assert.ok(reserialised.includes(JSON.stringify(value)), `${key} kept`);
    }
  }
  for (const action of json.actions ?? []) {
    assert.ok(reserialised.includes(JSON.stringify(action.title)), `action ${action.title} kept`);
  }
  assert.ok((json.actions ?? []).length <= MAX_DIAL_ACTIONS + 1, 'Teams shows at most 5 buttons here');
  assert.ok(cardSizeBytes(attachment) <= CARD_SIZE_LIMIT_BYTES, 'size');
  // Teams lists Adaptive results only with a hero/thumbnail preview.
  assert.equal(attachment.preview?.contentType, THUMBNAIL_CARD_CONTENT_TYPE);
}

const BASE_URL = 'https://callbridge.example';
const linked = { linked: true, callbridgeBaseUrl: BASE_URL } as const;
const unlinked = { linked: false, callbridgeBaseUrl: BASE_URL } as const;

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
      it(`${name} (linked)`, () => {
        assertValidCard(personAttachment(person, linked));
      });
      it(`${name} (not linked)`, () => {
        assertValidCard(personAttachment(person, unlinked));
      });
    }
  });

  it('the validator itself fails on an invalid card (guards the guard)', () => {
    const good = personAttachment(ada, linked);
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
    const attachment = personAttachment(ada, linked);
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

  it('has one Webex deep link per number and "Call with Webex" (Action.Submit) for a linked user', () => {
    const actions = contentOf(personAttachment(ada, linked)).actions ?? [];
    assert.deepEqual(actions, [
      { type: 'Action.OpenUrl', title: 'Call mobile', url: 'webextel://login?telephone=%2B447700900123' },
      { type: 'Action.OpenUrl', title: 'Call work', url: 'webextel://login?telephone=%2B440207946000' + '1' },
      { type: 'Action.OpenUrl', title: 'Call home', url: 'webextel://login?telephone=02079460999' },
      {
        type: 'Action.Submit',
        title: CALL_WITH_WEBEX_TITLE,
        data: { action: CALL_ACTION, number: '+447700900123', personKey: ada.key },
      },
    ]);
  });

  it('offers the set-up link instead of Call with Webex when the user has not linked Webex', () => {
    const actions = contentOf(personAttachment(ada, unlinked)).actions ?? [];
    assert.equal(
      actions.some((a) => a.type === 'Action.Submit'),
      false,
    );
    assert.deepEqual(actions.at(-1), {
      type: 'Action.OpenUrl',
      title: SET_UP_WEBEX_TITLE,
      url: 'https://callbridge.example/tab/index.html',
    });
    const noBase = contentOf(
      personAttachment(ada, { linked: false, callbridgeBaseUrl: 'javascript:alert(1)' }),
    );
    assert.equal(
      noBase.actions?.some((a) => a.title === SET_UP_WEBEX_TITLE),
      false,
    );
  });

  it('has no call buttons for a person without a diallable number', () => {
    const grace = variants['no phones'];
    assert.ok(grace);
    assert.equal(contentOf(personAttachment(grace, linked)).actions, undefined);
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
    const card = contentOf(personAttachment(many, linked));
    assert.deepEqual(
      (card.actions ?? []).map((a) => a.title),
      ['Call mobile 1', 'Call mobile 2', 'Call work 1', 'Call work 2', CALL_WITH_WEBEX_TITLE],
    );
    const facts = card.body.find((e) => e['type'] === 'FactSet')?.['facts'] as { title: string }[];
    assert.equal(facts.length, 6, 'five distinct numbers and the email');
  });

  it('uses tel: links when asked', () => {
    const actions = contentOf(personAttachment(ada, { ...linked, dialScheme: 'tel' })).actions ?? [];
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
      const attachment = personAttachment(person, linked);
      const card = contentOf(attachment);
      assert.equal(card.body[0]?.['text'], escapeMarkdown(person.displayName));
      assert.equal(card.body[1]?.['text'], '\\- list · 1. first');
      const json = JSON.stringify(card);
      assert.equal(json.includes('[x](javascript'), false);
      assert.equal(json.includes('*Bob*'), false);
      assert.equal((attachment.preview?.content as { title: string }).title, person.displayName);
    });

    it('caps very long lines', () => {
      const person = variants['very long name'];
      assert.ok(person);
      const attachment = personAttachment(person, linked);
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
      const attachment = personAttachment(person, linked);
      const size = cardSizeBytes(attachment);
      assert.ok(size <= CARD_SIZE_LIMIT_BYTES, `${size} bytes`);
      const facts = contentOf(attachment).body.find((e) => e['type'] === 'FactSet')?.['facts'] as unknown[];
      assert.ok(facts.length > 10 && facts.length < 2_000, `${facts.length} facts kept`);
      // The best (first) numbers are the ones kept.
      assert.deepEqual((facts[0] as { value: string }).value, '+1 \\(555\\) 0000 99999999');
      assertValidCard(attachment);
    });

    it('leaves a normal card alone', () => {
      const attachment = personAttachment(ada, linked);
      assert.ok(cardSizeBytes(attachment) < 4_096);
    });
  });
});
