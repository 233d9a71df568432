import { defineError } from '../../shared/errors.ts';

export const adminRequiredError = defineError({ status: 403, code: 'admin_required', title: 'Admin required' });
export const userNotFoundError = defineError({ status: 404, code: 'user_not_found', title: 'User not found' });
/** The user asked to leave (or was deleted by an admin): only the removal under way happens to them now. */
export const userLeavingError = defineError({ status: 409, code: 'user_being_deleted', title: 'User is being deleted' });
/** A change the account's state does not allow (e.g. re-provisioning a disabled user). */
export const accountStateError = defineError({ status: 409, code: 'account_state_conflict', title: 'Not possible in the account\'s state' });
