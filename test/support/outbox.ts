import fs from 'node:fs';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { expect } from 'vitest';

/** The machine may be busy: a poll waits this long before a test fails. */
export const EVENTUALLY = { timeout: 15_000 };

export interface OutboxMail {
  file: string;
  raw: string;
  parsed: ParsedMail;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Every mail written to the service's outbox (DATA_DIR/outbox) so far, oldest first. */
export async function readOutbox(outboxDir: string): Promise<OutboxMail[]> {
  if (!fs.existsSync(outboxDir)) return [];
  const files = fs.readdirSync(outboxDir).filter((name) => name.endsWith('.eml')).sort();
  return Promise.all(
    files.map(async (name) => {
      const file = path.join(outboxDir, name);
      const raw = fs.readFileSync(file, 'utf8');
      const parsed = await simpleParser(raw);
      const to = (parsed.to as { text: string } | undefined)?.text ?? '';
      return { file, raw, parsed, to, subject: parsed.subject ?? '', text: parsed.text ?? '', html: typeof parsed.html === 'string' ? parsed.html : '' };
    }),
  );
}

/** The mails to `to` whose subject matches, once there are `count` of them. */
export async function mailsTo(outboxDir: string, to: string, subject: RegExp, count = 1): Promise<OutboxMail[]> {
  let found: OutboxMail[] = [];
  await expect
    .poll(async () => {
      found = (await readOutbox(outboxDir)).filter((mail) => mail.to === to && subject.test(mail.subject));
      return found.length;
    }, EVENTUALLY)
    .toBeGreaterThanOrEqual(count);
  return found;
}

/** Every distinct `token=` value in a mail (text and HTML parts, decoded). */
export function tokensIn(mail: OutboxMail): string[] {
  const all = `${mail.text}\n${mail.html}`.replace(/&amp;/g, '&');
  return [...new Set([...all.matchAll(/token=([A-Za-z0-9_-]+)/g)].map((match) => match[1]!))];
}

/** The one token a link mail carries; fails unless there is exactly one. */
export function onlyTokenIn(mail: OutboxMail): string {
  const tokens = tokensIn(mail);
  expect(tokens).toHaveLength(1);
  return tokens[0]!;
}
