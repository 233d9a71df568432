/**
 * The pause of a polling loop that new work can cut short: `sleep(ms)` waits up to `ms`, `wake()` ends the
 * pause at once — or, called while the loop is busy, makes its next pause end at once, so work queued
 * during a round is looked at right after it instead of a poll interval later.
 */
export function createWakeableSleep() {
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
      else woken = true;
    },
  };
}
