import type { SimExtension } from './state.ts';

type Input = Record<string, unknown>;
type Stored = Omit<SimExtension, 'changedAt'>;

export const str = (value: unknown, fallback = ''): string => (typeof value === 'string' && value !== '' ? value : fallback);

const maxContacts = (tech: string, value: unknown, fallback: string) => {
  if (tech !== 'pjsip') return '';
  const requested = Number(str(value));
  return Number.isFinite(requested) && requested > 0 ? String(Math.min(requested, 100)) : fallback;
};

/**
 * What `processQuickCreate` stores for an `addExtension` input (core `Extensions.php` `resolveNames`): every
 * field left out takes its default.
 */
export function fromAddInput(input: Input, secret: string): Stored {
  const tech = str(input.tech, 'pjsip');
  const emergencyCid = str(input.emergencyCid);
  return {
    extensionId: String(input.extensionId),
    tech,
    name: str(input.name),
    email: str(input.email),
    outboundCid: str(input.outboundCid),
    emergencyCid,
    callerID: str(input.callerID, emergencyCid),
    channelName: str(input.channelName),
    umEnable: input.umEnable !== false,
    umGroups: str(input.umGroups, '1'),
    umPassword: str(input.umPassword),
    vmEnable: input.vmEnable !== false,
    vmPassword: str(input.vmPassword),
    maxContacts: maxContacts(tech, input.maxContacts, '1'),
    secret,
    owner: 'api',
  };
}

/**
 * What `updateExtension` re-creates (core `Extensions.php` `getUpdatedValues`, freepbx-api.md §8): it keeps
 * from the existing extension the name, email, tech, channel, caller ID, voicemail password and max contacts
 * when the input leaves them out, and resets everything else: the SIP secret (a new md5(uniqid()) unless
 * `extPassword` is given), outboundCid, emergencyCid, umEnable/vmEnable (to yes) and umGroups (to 1).
 * The email lives in the User Manager user and the voicemail password in voicemail.conf, so only an
 * extension that had them (umEnable, vmEnable) passes them on.
 */
export function fromUpdateInput(input: Input, existing: SimExtension, secret: string): Stored {
  const fresh = fromAddInput(input, secret);
  const tech = str(input.tech, existing.tech);
  return {
    ...fresh,
    tech,
    name: str(input.name, existing.name),
    email: str(input.email, existing.umEnable ? existing.email : ''),
    channelName: str(input.channelName, existing.channelName),
    callerID: str(input.callerID, str(input.emergencyCid, existing.callerID)),
    vmPassword: str(input.vmPassword, existing.vmEnable ? existing.vmPassword : ''),
    maxContacts: maxContacts(tech, input.maxContacts, existing.maxContacts || '1'),
  };
}
