/**
 * Runs `run` now and every `intervalMs` (timers unref'd: they never keep the process alive), never two at once
 * on this instance; a failed run is reported to `onError` and simply tried again next time. `stop` waits for a
 * run under way. Used by the background checks that each instance runs on its own timer.
 */
export function createPeriodicTask({ run, intervalMs, onError }: {
  run: () => Promise<unknown>;
  intervalMs: number;
  onError: (error: unknown) => void;
}) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;

  const tick = () => {
    running ??= run()
      .catch(onError)
      .finally(() => (running = undefined));
  };

  return {
    start(): void {
      if (timer) return;
      timer = setInterval(tick, intervalMs).unref();
      tick();
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
