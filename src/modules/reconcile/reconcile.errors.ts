import { defineError } from '../../shared/errors.ts';

export const reconcileNotSupportedError = defineError({ status: 409, code: 'reconcile_not_supported', title: 'This PBX driver cannot list its accounts' });
export const pbxUnreachableError = defineError({ status: 503, code: 'pbx_unavailable', title: 'The PBX could not be read' });
