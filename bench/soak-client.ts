import { randomBytes } from 'node:crypto';

const PASSWORD = 'soak passphrase that is long enough 42';

interface User {
  email: string;
  token?: string;
}

export interface SoakTally {
  requests: number;
  created: number;
  networkErrors: number;
  byAction: Record<string, number>;
  byStatus: Record<string, number>;
  fiveXxCodes: Record<string, number>;
}

/**
 * The soak's clients: each loop picks an action by weight — sign-up 15 %, login 15 %, credential read 40 %,
 * secret rotation 10 %, provisioning link (create, then fetch it as Linphone) 20 % — on a random known user.
 */
export function createSoakClient(base: string) {
  const users: User[] = [];
  const tally: SoakTally = { requests: 0, created: 0, networkErrors: 0, byAction: {}, byStatus: {}, fiveXxCodes: {} };

  async function call(action: string, route: string, init: RequestInit & { json?: unknown; token?: string } = {}) {
    const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    tally.requests += 1;
    tally.byAction[action] = (tally.byAction[action] ?? 0) + 1;
    try {
      const response = await fetch(`${base}${route}`, { ...init, headers, body: init.json === undefined ? init.body : JSON.stringify(init.json) });
      const text = await response.text();
      tally.byStatus[response.status] = (tally.byStatus[response.status] ?? 0) + 1;
      if (response.status >= 500) {
        const code = (() => { try { return (JSON.parse(text) as { code?: string }).code ?? 'none'; } catch { return 'not json'; } })();
        tally.fiveXxCodes[`${action} ${response.status} ${code}`] = (tally.fiveXxCodes[`${action} ${response.status} ${code}`] ?? 0) + 1;
      }
      return { status: response.status, text };
    } catch {
      tally.networkErrors += 1;
      return { status: 0, text: '' };
    }
  }

  const pick = () => users[Math.floor(Math.random() * users.length)];

  async function login(user: User) {
    const answer = await call('login', '/auth/login', { method: 'POST', json: { email: user.email, password: PASSWORD } });
    if (answer.status === 200) user.token = (JSON.parse(answer.text) as { access_token: string }).access_token;
  }

  async function signUp() {
    const user: User = { email: `soak-${randomBytes(8).toString('hex')}@example.com` };
    const answer = await call('sign-up', '/auth/register', { method: 'POST', json: { email: user.email, password: PASSWORD } });
    if (answer.status === 201) {
      tally.created += 1;
      users.push(user);
      await login(user);
    }
  }

  async function link(user: User) {
    const created = await call('link', '/sip/provisioning-links', { method: 'POST', token: user.token });
    if (created.status !== 201) return;
    const { pathname } = new URL((JSON.parse(created.text) as { url: string }).url);
    await call('link-fetch', pathname, { headers: { 'x-linphone-provisioning': 'true', 'user-agent': 'Linphone/5.2 (soak)' } });
  }

  async function step() {
    const roll = Math.random();
    const user = pick();
    if (!user || roll < 0.15) return signUp();
    if (!user.token || roll < 0.3) return login(user);
    if (roll < 0.7) return void (await call('credentials', '/sip/credentials', { token: user.token }));
    if (roll < 0.8) return void (await call('rotate', '/sip/credentials/rotate', { method: 'POST', token: user.token }));
    return link(user);
  }

  return {
    tally,
    async run(going: () => boolean): Promise<void> {
      while (going()) await step();
    },
    /** Polls every signed-up user's credentials until all answer 200; resolves with how many never did. */
    async waitAllActive(timeoutMs: number): Promise<number> {
      const deadline = Date.now() + timeoutMs;
      let waiting = [...users];
      while (waiting.length > 0 && Date.now() < deadline) {
        const still: User[] = [];
        for (const user of waiting) {
          if (!user.token) await login(user);
          const answer = user.token ? await call('final check', '/sip/credentials', { token: user.token }) : { status: 0 };
          if (answer.status !== 200) still.push(user);
        }
        waiting = still;
        if (waiting.length > 0) await new Promise((resolve) => setTimeout(resolve, 1000));
      }
      return waiting.length;
    },
  };
}
