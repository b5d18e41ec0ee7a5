import type { Activity, ConversationReference } from 'botbuilder';
import { z } from 'zod';
import type { JsonObject } from '../store/store.js';

/**
 * The conversation reference CallBridge keeps per user for proactive messages: the 1:1 chat
 * with the bot, reduced to what the Bot Connector needs to reach it. Only opaque ids and
 * routing data are kept (no names, no locale, no activity id, so a proactive message is a new
 * message rather than a reply).
 */
export interface StoredReference {
  readonly channelId: string;
  readonly serviceUrl: string;
  readonly conversation: {
    readonly id: string;
    readonly tenantId: string;
    readonly conversationType: 'personal';
  };
  readonly bot: { readonly id: string };
  readonly user: { readonly id: string; readonly aadObjectId: string };
}

/** Who a personal-scope activity is from, and the reference to reach them again. */
export interface PersonalReference {
  readonly tenantId: string;
  readonly aadObjectId: string;
  readonly reference: StoredReference;
}

const nonEmpty = z.string().min(1);

const storedReference = z.object({
  channelId: nonEmpty,
  serviceUrl: z.url({ protocol: /^https?$/ }),
  conversation: z.object({
    id: nonEmpty,
    tenantId: nonEmpty,
    conversationType: z.literal('personal'),
  }),
  bot: z.object({ id: nonEmpty }),
  user: z.object({ id: nonEmpty, aadObjectId: nonEmpty }),
});

/**
 * The reference for a personal-scope activity, or `undefined` when the activity is not from a
 * user's 1:1 chat with the bot or lacks the ids (tenant from `channelData.tenant.id`, falling
 * back to `conversation.tenantId`; user from `from.aadObjectId`).
 */
export function personalReferenceOf(activity: Activity): PersonalReference | undefined {
  const conversation = activity.conversation as Partial<Activity['conversation']> | undefined;
  if (conversation?.conversationType !== 'personal') return undefined;
  const tenantId = tenantOf(activity);
  const from = activity.from as Partial<Activity['from']> | undefined;
  const recipient = activity.recipient as Partial<Activity['recipient']> | undefined;
  const parsed = storedReference.safeParse({
    channelId: activity.channelId,
    serviceUrl: activity.serviceUrl,
    conversation: { id: conversation.id, tenantId, conversationType: 'personal' },
    bot: { id: recipient?.id },
    user: { id: from?.id, aadObjectId: from?.aadObjectId },
  });
  if (!parsed.success) return undefined;
  const reference = parsed.data;
  return {
    tenantId: reference.conversation.tenantId,
    aadObjectId: reference.user.aadObjectId,
    reference,
  };
}

/** The tenant of an activity: `channelData.tenant.id`, falling back to `conversation.tenantId`. */
function tenantOf(activity: Activity): string | undefined {
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const fromChannel = channelData?.tenant?.id;
  if (typeof fromChannel === 'string') return fromChannel;
  const conversation = activity.conversation as Partial<Activity['conversation']> | undefined;
  return conversation?.tenantId;
}

/**
 * Who sent an activity in any conversation (tenant and Entra object id), or `undefined` when the
 * channel did not say. Trusted only because the channel signs the activity.
 */
export function senderOf(
  activity: Activity,
): { readonly tenantId: string; readonly aadObjectId: string } | undefined {
  const tenantId = tenantOf(activity);
  const from = activity.from as Partial<Activity['from']> | undefined;
  const aadObjectId = from?.aadObjectId;
  if (tenantId === undefined || tenantId === '' || aadObjectId === undefined || aadObjectId === '')
    return undefined;
  return { tenantId, aadObjectId };
}

/** The reference as the store keeps it. */
export function toJson(reference: StoredReference): JsonObject {
  return {
    channelId: reference.channelId,
    serviceUrl: reference.serviceUrl,
    conversation: { ...reference.conversation },
    bot: { ...reference.bot },
    user: { ...reference.user },
  };
}

/** A stored reference read back, or `undefined` when the row does not hold a usable one. */
export function parseStoredReference(json: JsonObject): StoredReference | undefined {
  const parsed = storedReference.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The reference in botbuilder's shape, for `continueConversationAsync`. botbuilder's types
 * require `name` on accounts and `isGroup` on the conversation; the connector needs neither
 * name, so only `isGroup` is added.
 */
export function toConversationReference(reference: StoredReference): Partial<ConversationReference> {
  const wire = {
    channelId: reference.channelId,
    serviceUrl: reference.serviceUrl,
    conversation: { ...reference.conversation, isGroup: false },
    bot: { ...reference.bot },
    user: { ...reference.user },
  };
  return wire as Partial<ConversationReference>;
}
