/**
 * Webex OAuth scopes the stand-in checks. `spark:all` stands for every `spark:` scope, as on the
 * real service; admin (`spark-admin:`) scopes are never implied by it.
 */
export const SCOPES = {
  peopleRead: 'spark:people_read',
  peopleWrite: 'spark:people_write',
  callsRead: 'spark:calls_read',
  callsWrite: 'spark:calls_write',
  telephonyConfigRead: 'spark:telephony_config_read',
  telephonyConfigWrite: 'spark:telephony_config_write',
  adminPeopleRead: 'spark-admin:people_read',
  adminPeopleWrite: 'spark-admin:people_write',
  kms: 'spark:kms',
} as const;

/** Whether a granted scope list satisfies one needed scope. */
export function hasScope(granted: readonly string[], needed: string): boolean {
  if (granted.includes(needed)) return true;
  return needed.startsWith('spark:') && granted.includes('spark:all');
}

/** Splits a space-separated OAuth `scope` parameter (Webex also tolerates `+` from sloppy encoders). */
export function parseScopeList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return [...new Set(raw.split(/[\s+]+/).filter((s) => s.length > 0))];
}
