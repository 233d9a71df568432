import type { ExtensionStore, LiveExtension } from './state.ts';

export type ReloadOutcome = 'executed' | 'failed' | 'stuck';

interface Reload {
  id: string;
  status: 'Processing' | 'Executed' | 'Failed';
  details: string | null;
}

export interface ReloadCounters {
  reloadsStarted: number;
  reloadsRunning: number;
  maxConcurrentReloads: number;
  reloadsExecuted: number;
  reloadsFailed: number;
}

/**
 * `doreload` + `fetchApiStatus` (§3): every call starts its own background "fwconsole reload" that goes
 * Processing → Executed after `delayMs` (or Failed, or stays Processing forever when told to). Nothing stops
 * two reloads at once, as on the real server; the counters record how many ran together.
 */
export function createReloadManager(args: {
  store: ExtensionStore;
  delayMs: () => number;
  /** Runs when a reload is about to succeed (e.g. publish to Kamailio); a throw makes the reload fail. */
  onExecuting?: (live: LiveExtension[]) => Promise<void>;
}) {
  const reloads = new Map<string, Reload>();
  const timers = new Set<NodeJS.Timeout>();
  let nextId = 1;
  let outcome: { kind: ReloadOutcome; details: string } = { kind: 'executed', details: '' };
  const counters: ReloadCounters = {
    reloadsStarted: 0,
    reloadsRunning: 0,
    maxConcurrentReloads: 0,
    reloadsExecuted: 0,
    reloadsFailed: 0,
  };

  async function finish(reload: Reload, snapshot: ReturnType<ExtensionStore['snapshot']>, kind: ReloadOutcome, details: string) {
    if (kind === 'executed' && args.onExecuting) {
      try {
        await args.onExecuting(snapshot.live);
      } catch (error) {
        kind = 'failed';
        details = `Reload failed: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    if (!reloads.has(reload.id)) return; // reset() while running
    counters.reloadsRunning--;
    if (kind === 'executed') {
      args.store.applySnapshot(snapshot);
      reload.status = 'Executed';
      reload.details = 'Successfully reloaded';
      counters.reloadsExecuted++;
    } else {
      reload.status = 'Failed';
      reload.details = details;
      counters.reloadsFailed++;
    }
  }

  return {
    start(): string {
      const reload: Reload = { id: String(nextId++), status: 'Processing', details: null };
      reloads.set(reload.id, reload);
      counters.reloadsStarted++;
      counters.reloadsRunning++;
      counters.maxConcurrentReloads = Math.max(counters.maxConcurrentReloads, counters.reloadsRunning);
      const snapshot = args.store.snapshot();
      const { kind, details } = outcome;
      if (kind !== 'stuck') {
        const timer = setTimeout(() => {
          timers.delete(timer);
          void finish(reload, snapshot, kind, details);
        }, args.delayMs());
        timers.add(timer);
      }
      return reload.id;
    },
    status(id: string): Reload | undefined {
      return reloads.get(id);
    },
    setOutcome(kind: ReloadOutcome, details?: string): void {
      outcome = { kind, details: details ?? 'Reload failed: exit code 1 (simulated)' };
    },
    counters(): ReloadCounters {
      return { ...counters };
    },
    reset(): void {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      reloads.clear();
      outcome = { kind: 'executed', details: '' };
      for (const key of Object.keys(counters) as Array<keyof ReloadCounters>) counters[key] = 0;
    },
  };
}

export type ReloadManager = ReturnType<typeof createReloadManager>;
