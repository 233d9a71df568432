import { defineError } from '../../shared/errors.ts';

/** The PBX refused the new secret for good; the old one stays live. */
export const rotationRefusedError = defineError({ status: 502, code: 'secret_rotation_refused', title: 'The phone system refused the new secret' });
