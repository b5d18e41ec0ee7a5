/**
 * A person CallBridge can call, merged from every source that knows them. This is the shared
 * shape of the people search (bot/src/people), the messaging extension's cards and the bot.
 */

export type PersonSource = 'conversation' | 'directory' | 'contacts' | 'speedDials';

export interface PhoneNumber {
  readonly type: 'business' | 'mobile' | 'home' | 'other';
  /** As the source gave it (display form); dialling normalises it. */
  readonly number: string;
}

export interface PersonPresence {
  readonly availability: string;
  readonly activity: string;
}

export interface Person {
  /** Stable key for de-duplication and paging: `aad:<object id>`, else `mail:<address>`, else `tel:<digits>`. */
  readonly key: string;
  /** Entra object id when the person is in the directory. */
  readonly aadObjectId?: string;
  readonly displayName: string;
  readonly jobTitle?: string;
  readonly department?: string;
  readonly email?: string;
  readonly phones: readonly PhoneNumber[];
  /** Every source that returned this person, best first. */
  readonly sources: readonly PersonSource[];
  readonly presence?: PersonPresence;
}

export interface ConversationContext {
  readonly kind: 'personal' | 'groupChat' | 'channel';
  readonly chatId?: string;
  readonly teamId?: string;
  readonly channelId?: string;
}

export interface PeopleSearchRequest {
  /** The CallBridge user searching (their Graph token is used). */
  readonly userId: string;
  readonly query: string;
  /** Where the search happens: its members come first. */
  readonly conversation?: ConversationContext;
  readonly skip: number;
  readonly count: number;
  /** The whole search answers by then with what arrived. */
  readonly deadlineMs: number;
}

export interface PeopleSearchResult {
  readonly people: readonly Person[];
  /** More results exist beyond `skip + count`. */
  readonly hasMore: boolean;
  /** Sources that did not answer by the deadline. */
  readonly slowSources: readonly PersonSource[];
  /** Sources that failed (throttled, forbidden, down). */
  readonly failedSources: readonly PersonSource[];
}

export interface PeopleSearch {
  search(request: PeopleSearchRequest): Promise<PeopleSearchResult>;
}
