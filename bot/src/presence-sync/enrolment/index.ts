import type { SsoValidator } from '../../auth/sso-validator.js';
import { missingPermissions } from '../../admin-consent/required-permissions.js';
import { getPresenceSync } from '../../http/routes/getPresenceSync.js';
import { putAdminPresenceSync } from '../../http/routes/putAdminPresenceSync.js';
import { putPresenceSync } from '../../http/routes/putPresenceSync.js';
import type { Route } from '../../http/route.js';
import type { Logger } from '../../observability/logger.js';
import { serializeError } from '../../observability/logger.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { PresenceSyncRule, PresenceSyncState, Store, User } from '../../store/store.js';
import type { WebexTokenService } from '../../webex-link/token-service.js';
import type { AdminDirectory } from './admin-directory.js';
import type { SyncAction } from './sync-errors.js';

export { graphAdminDirectory, type AdminDirectory } from './admin-directory.js';
export { recordSyncError, type SyncAction } from './sync-errors.js';

/** As in the call tab API contract. */
export interface SyncStatus {
  readonly enabled: boolean;
  readonly rule: PresenceSyncRule;
  readonly lastSyncedAt: number | null;
  readonly blocked: SyncBlock | null;
}

export interface SyncBlock {
  readonly code: string;
  readonly action: SyncAction;
  readonly message: string;
}

export interface PresenceEnrolment {
  /** GET/PUT /api/presence-sync, PUT /api/admin/presence-sync */
  readonly routes: readonly Route[];
  status(userId: string): Promise<SyncStatus>;
  enable(userId: string, rule?: PresenceSyncRule): Promise<Result<SyncStatus, SyncBlock>>;
  disable(userId: string): Promise<SyncStatus>;
  /** An admin's bulk change; the admin check is the route's. */
  setForMany(admin: User, scope: AdminScope, enabled: boolean): Promise<Result<BulkResult, { code: string }>>;
}

export type AdminScope = 'all' | { readonly groupId: string };

export interface BulkResult {
  /** Users the scope named. */
  readonly matched: number;
  /** Whose setting this call changed. */
  readonly changed: number;
  readonly unchanged: number;
  /** Turned on but waiting for the user (or admin) to do something, by action. */
  readonly blocked: Readonly<Record<Exclude<SyncAction, 'retry'>, number>>;
  readonly failed: number;
}

export interface PresenceEnrolmentDeps {
  readonly store: Pick<Store, 'users' | 'presence' | 'tenantConsents'>;
  readonly validator: SsoValidator;
  /** `createWebexLinking(...).tokens`. */
  readonly webexLink: Pick<WebexTokenService, 'status'>;
  /** Whether CallBridge can act for the user in Graph in the background (a working delegated sign-in). */
  graphSession(userId: string): Promise<boolean>;
  readonly directory: AdminDirectory;
  /** The engine's: start / stop watching the user on both sides (Graph subscription, Webex webhook). */
  readonly hooks: {
    onEnabled(userId: string): Promise<void>;
    onDisabled(userId: string): Promise<void>;
  };
  readonly logger: Logger;
}

const CAS_ATTEMPTS = 5;
const ACTIONS: readonly SyncAction[] = ['sign_in', 'link_webex', 'admin_consent', 'retry'];

const MESSAGES: Record<SyncAction, string> = {
  link_webex: 'Link your Webex account in the Call tab so CallBridge can see your Webex calls.',
  sign_in: 'Sign in again in the Call tab so CallBridge can keep your Teams presence in step.',
  admin_consent: 'Your Microsoft 365 admin must grant CallBridge its permissions (admin consent) first.',
  retry: 'Presence sync hit a temporary problem; it retries by itself. Try again later if it persists.',
};

export function createPresenceEnrolment(deps: PresenceEnrolmentDeps): PresenceEnrolment {
  const { store } = deps;
  const log = deps.logger.child({ component: 'presence-enrolment' });

  /** The first thing that keeps sync from working for this user, checked live. */
  async function prerequisite(user: User): Promise<SyncBlock | null> {
    const webex = await deps.webexLink.status(user.id);
    if (!webex.linked) return block('webex_not_linked', 'link_webex');
    if (webex.needsRelink === true) return block('webex_relink_required', 'link_webex');
    if (!(await deps.graphSession(user.id))) return block('sign_in_required', 'sign_in');
    const consent = await store.tenantConsents.get(user.tenantId);
    if (missingPermissions(consent ?? { scopes: [], roles: [] }).length > 0) {
      return block('admin_consent_required', 'admin_consent');
    }
    return null;
  }

  function stored(row: PresenceSyncState): SyncBlock | null {
    if (row.lastErrorCode === null) return null;
    const action = ACTIONS.find((a) => a === row.lastErrorAction) ?? 'retry';
    return block(row.lastErrorCode, action);
  }

  async function statusOf(user: User, row: PresenceSyncState | undefined): Promise<SyncStatus> {
    const base = { rule: row?.rule ?? 'always', lastSyncedAt: row?.lastSyncedAt ?? null } as const;
    if (row?.enabled !== true) return { enabled: false, ...base, blocked: null };
    return { enabled: true, ...base, blocked: (await prerequisite(user)) ?? stored(row) };
  }

  /** Read-modify-write of the row with compare-and-swap; `undefined` when the user is gone. */
  async function write(
    userId: string,
    change: { enabled: boolean; rule?: PresenceSyncRule; error: SyncBlock | null },
  ): Promise<{ row: PresenceSyncState; changed: boolean } | undefined> {
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt += 1) {
      const row = await store.presence.get(userId);
      const rule = change.rule ?? row?.rule ?? 'always';
      const code = change.error?.code ?? (change.enabled ? null : (row?.lastErrorCode ?? null));
      const action = change.error?.action ?? (change.enabled ? null : (row?.lastErrorAction ?? null));
      if (
        row !== undefined &&
        row.enabled === change.enabled &&
        row.rule === rule &&
        row.lastErrorCode === code &&
        row.lastErrorAction === action
      ) {
        return { row, changed: false };
      }
      const written = await store.presence.upsert({
        userId,
        enabled: change.enabled,
        rule,
        lastSyncedAt: row?.lastSyncedAt ?? null,
        lastErrorCode: code,
        lastErrorAction: action,
        teamsState: row?.teamsState ?? null,
        webexState: row?.webexState ?? null,
        expectedVersion: row?.version ?? null,
      });
      if (written.ok) return { row: written.value, changed: (row?.enabled ?? false) !== change.enabled };
      if (written.error.code === 'user_not_found') return undefined;
    }
    throw new Error(
      `presence sync row of ${userId} kept changing; gave up after ${String(CAS_ATTEMPTS)} attempts`,
    );
  }

  async function runHook(name: 'onEnabled' | 'onDisabled', userId: string): Promise<void> {
    try {
      await deps.hooks[name](userId);
    } catch (error) {
      // The daemons reconcile what a hook could not do; the setting itself is stored.
      log.error({ userId, hook: name, err: serializeError(error) }, 'presence sync hook failed');
    }
  }

  async function userOf(userId: string): Promise<User> {
    const user = await store.users.get(userId);
    if (user === undefined) throw new Error(`unknown user ${userId}`);
    return user;
  }

  async function enable(userId: string, rule?: PresenceSyncRule): Promise<Result<SyncStatus, SyncBlock>> {
    const user = await userOf(userId);
    const blocker = await prerequisite(user);
    if (blocker !== null) return err(blocker);
    const written = await write(userId, {
      enabled: true,
      ...(rule === undefined ? {} : { rule }),
      error: null,
    });
    if (written === undefined) throw new Error(`unknown user ${userId}`);
    if (written.changed) {
      log.info({ userId }, 'presence sync turned on');
      await runHook('onEnabled', userId);
    }
    return ok(await statusOf(user, written.row));
  }

  async function disable(userId: string): Promise<SyncStatus> {
    const user = await userOf(userId);
    const written = await write(userId, { enabled: false, error: null });
    if (written?.changed === true) {
      log.info({ userId }, 'presence sync turned off');
      await runHook('onDisabled', userId);
    }
    return statusOf(user, written?.row);
  }

  async function setForMany(
    admin: User,
    scope: AdminScope,
    enabled: boolean,
  ): Promise<Result<BulkResult, { code: string }>> {
    const counts = { matched: 0, changed: 0, unchanged: 0, failed: 0 };
    const blocked = { link_webex: 0, sign_in: 0, admin_consent: 0 };
    async function apply(user: User): Promise<void> {
      counts.matched += 1;
      try {
        const blocker = enabled ? await prerequisite(user) : null;
        // An admin's "on" is kept even when the user cannot sync yet: it starts once they can.
        const written = await write(user.id, { enabled, error: blocker });
        if (written === undefined) {
          counts.failed += 1;
          return;
        }
        if (blocker !== null && blocker.action !== 'retry') blocked[blocker.action] += 1;
        counts[written.changed ? 'changed' : 'unchanged'] += 1;
        if (written.changed && blocker === null) await runHook(enabled ? 'onEnabled' : 'onDisabled', user.id);
      } catch (error) {
        counts.failed += 1;
        log.error(
          { userId: user.id, err: serializeError(error) },
          'bulk presence sync change failed for a user',
        );
      }
    }
    const progress = (): void => {
      log.info({ adminUserId: admin.id, enabled, ...counts }, 'bulk presence sync change in progress');
    };

    if (scope === 'all') {
      let cursor: string | null = null;
      do {
        const page = await store.users.listIds({ limit: 500, cursor });
        for (const id of page.items) {
          const user = await store.users.get(id);
          if (user?.tenantId === admin.tenantId) await apply(user);
        }
        progress();
        cursor = page.next;
      } while (cursor !== null);
    } else {
      const walked = await deps.directory.forEachGroupMember(admin.id, scope.groupId, async (ids) => {
        for (const aadObjectId of ids) {
          await apply(await store.users.upsert({ tenantId: admin.tenantId, aadObjectId }));
        }
        progress();
      });
      if (!walked.ok) {
        log.warn(
          { adminUserId: admin.id, code: walked.error.code, ...counts },
          'group members could not be read',
        );
        return err(walked.error);
      }
    }
    log.info({ adminUserId: admin.id, enabled, ...counts, blocked }, 'bulk presence sync change done');
    return ok({ ...counts, blocked });
  }

  const enrolment: Omit<PresenceEnrolment, 'routes'> = {
    async status(userId) {
      return statusOf(await userOf(userId), await store.presence.get(userId));
    },
    enable,
    disable,
    setForMany,
  };
  const routeDeps = {
    validator: deps.validator,
    store,
    enrolment,
    directory: deps.directory,
    logger: deps.logger,
  };
  return {
    ...enrolment,
    routes: [getPresenceSync(routeDeps), putPresenceSync(routeDeps), putAdminPresenceSync(routeDeps)],
  };
}

function block(code: string, action: SyncAction): SyncBlock {
  return { code, action, message: MESSAGES[action] };
}

/** What the enrolment routes share. */
export interface EnrolmentRouteDeps {
  readonly validator: SsoValidator;
  readonly store: Pick<Store, 'users'>;
  readonly enrolment: Omit<PresenceEnrolment, 'routes'>;
  readonly directory: AdminDirectory;
  readonly logger: Logger;
}
