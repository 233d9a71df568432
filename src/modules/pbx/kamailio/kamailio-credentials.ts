import { createHash } from 'node:crypto';

export type KamailioPasswordStorage = 'plain' | 'ha1' | 'both';

/** The secret columns of a `subscriber` row; an unused column holds '' (the columns are NOT NULL). */
export interface SubscriberSecretColumns {
  password: string;
  ha1: string;
  ha1b: string;
}

const md5 = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * The digest hashes auth_db checks when `calculate_ha1=0` (RFC 2617 HA1, realm = the subscriber domain).
 * `ha1b` serves clients whose auth username is `user@domain`.
 */
export function subscriberSecretColumns(args: {
  username: string;
  domain: string;
  secret: string;
  storage: KamailioPasswordStorage;
}): SubscriberSecretColumns {
  const { username, domain, secret, storage } = args;
  const hashed = storage !== 'plain';
  return {
    password: storage === 'ha1' ? '' : secret,
    ha1: hashed ? md5(`${username}:${domain}:${secret}`) : '',
    ha1b: hashed ? md5(`${username}@${domain}:${domain}:${secret}`) : '',
  };
}
