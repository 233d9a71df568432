import { describe, expect, it } from 'vitest';
import { createWakeableSleep } from './wakeable-sleep.ts';

describe('a wakeable pause', () => {
  it('ends when its time is up', async () => {
    const started = Date.now();
    await createWakeableSleep({ rememberWake: true }).sleep(30);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('ends at once when woken during it', async () => {
    const pause = createWakeableSleep({ rememberWake: false });
    const started = Date.now();
    const sleeping = pause.sleep(60_000);
    pause.wake();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('with rememberWake, keeps a wake-up that came while nobody slept: the next pause ends at once, the one after waits again', async () => {
    const pause = createWakeableSleep({ rememberWake: true });
    pause.wake();
    const started = Date.now();
    await pause.sleep(60_000);
    expect(Date.now() - started).toBeLessThan(1000);
    let ended = false;
    void pause.sleep(200).then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ended).toBe(false);
  });

  it('without rememberWake, forgets a wake-up that came while nobody slept', async () => {
    const pause = createWakeableSleep({ rememberWake: false });
    pause.wake();
    let ended = false;
    void pause.sleep(200).then(() => (ended = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ended).toBe(false);
  });
});
