import { err, ok, type Result } from '../shared/result.js';
import type { Store, User } from '../store/store.js';
import { failPage, START_AGAIN, type ResultPage } from './pages.js';

/**
 * The CallBridge user a verified popup state names, still in the state's tenant; otherwise the
 * page that says so. Every popup callback starts here.
 */
export async function userOfState(
  users: Pick<Store['users'], 'get'>,
  state: { readonly uid: string; readonly tid: string },
): Promise<Result<User, ResultPage>> {
  const user = await users.get(state.uid);
  if (user === undefined || user.tenantId !== state.tid) {
    return err(
      failPage(
        400,
        'invalid_state',
        'Invalid sign-in response',
        `Your CallBridge account was not found. ${START_AGAIN}`,
      ),
    );
  }
  return ok(user);
}
