import { hash, verify } from '@node-rs/argon2';
import pLimit from 'p-limit';
import { ARGON2_PARAMETERS } from '../src/modules/auth/password-hasher.ts';

// argon2id verifications per second at the service's parameters and concurrency: the ceiling for logins.
const concurrency = Number(process.env.CONCURRENCY);
const durationMs = Number(process.env.DURATION_MS);
const stored = await hash('benchmark passphrase', ARGON2_PARAMETERS);
const limit = pLimit(concurrency);
let done = 0;
const deadline = Date.now() + durationMs;
const started = Date.now();
await Promise.all(
  Array.from({ length: concurrency * 4 }, async () => {
    while (Date.now() < deadline) {
      await limit(() => verify(stored, 'benchmark passphrase'));
      done += 1;
    }
  }),
);
console.log(JSON.stringify({ perSecond: done / ((Date.now() - started) / 1000) }));
