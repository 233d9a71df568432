/**
 * The pause of a polling loop that new work can cut short: `sleep(ms)` waits up to `ms`, `wake()` ends the
 * pause at once. With `rememberWake`, a wake-up while the loop is busy makes its next pause end at once, so
 * work queued during a round is looked at right after it (mail); without, that work waits for the next poll,
 * and more may join it (the provisioning worker, whose rounds end in one Apply Config for all they pushed).
 */
export function createWakeableSleep({ rememberWake }: { rememberWake: boolean }) {
  let wakeSleeper: (() => void) | undefined;
  let woken = false;
  return {
    sleep(ms: number): Promise<void> {
      if (woken) {
        woken = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakeSleeper = undefined;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakeSleeper = done;
      });
    },
    wake(): void {
      if (wakeSleeper) wakeSleeper();
      else if (rememberWake) woken = true;
    },
  };
}
