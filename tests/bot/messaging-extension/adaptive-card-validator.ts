import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

/**
 * Every card CallBridge sends is checked with the official Adaptive Cards renderer
 * (`adaptivecards`, loaded as `adaptivecards/dist/adaptivecards.js` in Node), parsed with a v1.5
 * `SerializationContext`: any parse or validation event fails the test, and nothing we send may
 * be dropped by the renderer (an unknown property or element would be).
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

interface CardShape {
  readonly $schema?: unknown;
  readonly type?: unknown;
  readonly version?: unknown;
  readonly body?: readonly Record<string, unknown>[];
  readonly actions?: readonly { readonly title?: unknown }[];
}

/** Fails unless `content` is an Adaptive Card 1.5 the official renderer takes without a single event. */
export function assertValidAdaptiveCard15(content: unknown): void {
  const json = content as CardShape;
  assert.equal(json.type, 'AdaptiveCard');
  assert.equal(json.version, '1.5');
  assert.equal(json.$schema, 'http://adaptivecards.io/schemas/adaptive-card.json');
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const card = new AC.AdaptiveCard();
  card.parse(content, context);
  const events = Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
  assert.deepEqual(events, [], 'parse events');
  assert.deepEqual(
    card.validateProperties().validationEvents.map((e) => e.message),
    [],
    'validation events',
  );
  const reserialised = JSON.stringify(card.toJSON());
  for (const element of json.body ?? []) {
    for (const [key, value] of Object.entries(element)) {
      if (typeof value === 'string') assert.ok(reserialised.includes(JSON.stringify(value)), `${key} kept`);
    }
  }
  for (const action of json.actions ?? []) {
    assert.ok(reserialised.includes(JSON.stringify(action.title)), `action ${String(action.title)} kept`);
  }
}
