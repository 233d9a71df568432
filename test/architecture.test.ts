import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { describe, expect, it } from 'vitest';

/**
 * The architecture rules of .dependency-cruiser.cjs (also `npm run lint:architecture`), checked on the real
 * tree, then on test/fixtures/architecture/, which breaks each rule on purpose: the proof that the rules bite.
 * Plus a check dependency-cruiser's folder-level rule cannot do exactly (module cycles through sub-folders)
 * and a size check on the service's source files.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const FIXTURE = path.join(ROOT, 'test/fixtures/architecture');
const TREES = ['src', 'tools', 'bench', 'test'];
/** Test code: vitest files and the helpers named after them (`*.test-helpers.ts`, `*.test-support.ts`). */
const TEST_FILE = /\.test(-[a-z-]+)?\.ts$/;
const MAX_LINES = 160;
const MAX_MEDIAN_LINES = 60;

type Violation = ICruiseResult['summary']['violations'][number];

const cruises = new Map<string, Promise<ICruiseResult>>();

/** The cruise of `src tools bench test` under baseDir with the committed config; once per baseDir. */
function cruiseTree(baseDir: string): Promise<ICruiseResult> {
  if (!cruises.has(baseDir)) cruises.set(baseDir, runCruise(baseDir));
  return cruises.get(baseDir)!;
}

async function runCruise(baseDir: string): Promise<ICruiseResult> {
  const options = await extractDepcruiseOptions(CONFIG);
  const trees = TREES.filter((tree) => fs.existsSync(path.join(baseDir, tree)));
  const { output } = await cruise(trees, { ...options, baseDir });
  if (typeof output === 'string') throw new Error(`expected a cruise result, got: ${output.slice(0, 200)}`);
  return output;
}

/** `../../../node_modules/vitest/dist/index.d.ts` → `vitest`; other paths as they are. */
function shortName(resolved: string): string {
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(resolved)?.[1] ?? resolved;
}

/** One line a person can read: `rule: from → to`, with the way back for a cycle. */
function describeViolation(violation: Violation): string {
  const line = `${violation.rule.name}: ${violation.from} → ${shortName(violation.to)}`;
  const cycle = violation.cycle?.map((step) => step.name) ?? [];
  return cycle.length > 1 ? `${line} (cycle: ${[violation.from, ...cycle].join(' → ')})` : line;
}

/** src/modules/<name>/anything → src/modules/<name>; any other file stays itself. */
function collapseToModule(source: string): string {
  return /^src\/modules\/[^/]+/.exec(source)?.[0] ?? source;
}

/**
 * Cycles between feature modules on the file graph with every src/modules/<name>/... collapsed to its
 * module: for each pair of modules that reach each other (directly or through any other files), one
 * shortest way there and back.
 */
function moduleCycles(result: ICruiseResult): string[] {
  const graph = new Map<string, Set<string>>();
  for (const module of result.modules) {
    const from = collapseToModule(module.source);
    const targets = graph.get(from) ?? new Set<string>();
    graph.set(from, targets);
    for (const dependency of module.dependencies) {
      if (dependency.couldNotResolve || dependency.coreModule || /(^|\/)node_modules\//.test(dependency.resolved)) continue;
      const to = collapseToModule(dependency.resolved);
      if (to !== from) targets.add(to);
    }
  }
  const shortestPaths = (start: string): Map<string, string[]> => {
    const paths = new Map<string, string[]>([[start, [start]]]);
    const queue = [start];
    for (let node = queue.shift(); node !== undefined; node = queue.shift()) {
      for (const next of [...(graph.get(node) ?? [])].sort()) {
        if (paths.has(next)) continue;
        paths.set(next, [...paths.get(node)!, next]);
        queue.push(next);
      }
    }
    return paths;
  };
  const modules = [...graph.keys()].filter((node) => node.startsWith('src/modules/')).sort();
  const reach = new Map(modules.map((module) => [module, shortestPaths(module)]));
  const cycles: string[] = [];
  for (const [index, first] of modules.entries()) {
    for (const second of modules.slice(index + 1)) {
      const there = reach.get(first)!.get(second);
      const back = reach.get(second)!.get(first);
      if (there && back) cycles.push(`module cycle ${first} ⇄ ${second}: ${[...there, ...back.slice(1)].join(' → ')}`);
    }
  }
  return cycles;
}

function lineCount(file: string): number {
  return (fs.readFileSync(file, 'utf8').match(/\n/g) ?? []).length; // as `wc -l` counts
}

function sourceFiles(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name) ? [full] : [];
  });
}

describe('architecture rules on the real tree', () => {
  it('has no dependency-cruiser violation', async () => {
    const result = await cruiseTree(ROOT);
    expect(result.summary.totalCruised, 'the cruise found the source files').toBeGreaterThan(50);
    expect(result.summary.violations.map(describeViolation)).toEqual([]);
  });

  it('has no cycle between src/modules/* (modules collapsed, sub-folders included)', async () => {
    expect(moduleCycles(await cruiseTree(ROOT))).toEqual([]);
  });

  it(`keeps non-test files in src/ at ${MAX_LINES} lines or fewer, with a median under ${MAX_MEDIAN_LINES}`, () => {
    const counts = sourceFiles(path.join(ROOT, 'src')).map((file) => ({
      file: path.relative(ROOT, file),
      lines: lineCount(file),
    }));
    expect(counts.length).toBeGreaterThan(0);
    const tooLong = counts.filter(({ lines }) => lines > MAX_LINES).sort((a, b) => b.lines - a.lines);
    const sorted = counts.map(({ lines }) => lines).sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
    expect.soft(tooLong.map(({ file, lines }) => `${file}: ${lines} lines`)).toEqual([]);
    expect(median, `median line count of ${counts.length} non-test src files`).toBeLessThan(MAX_MEDIAN_LINES);
  });
});

describe('architecture rules on test/fixtures/architecture (each rule broken on purpose)', () => {
  it('reports exactly the planted violations, and none of the allowed imports', async () => {
    const result = await cruiseTree(FIXTURE);
    const found = result.summary.violations.map(
      (violation) => `${violation.rule.name}: ${violation.from} → ${shortName(violation.to)}`,
    );
    expect(found.sort()).toEqual(
      [
        'no-circular: src/shared/ping.ts → src/shared/pong.ts', // one per cycle; its first step is type-only
        'no-circular-between-modules: src/modules/alpha → src/modules/beta',
        'no-circular-between-modules: src/modules/beta → src/modules/alpha',
        'src-not-to-test-tools-bench: src/main.ts → test/support/helper.ts',
        'src-not-to-test-tools-bench: src/main.ts → tools/dev-tool.ts',
        'src-not-to-test-tools-bench: src/main.ts → bench/bench-helper.ts',
        'freepbx-sim-not-to-src: tools/freepbx-sim/server.ts → src/shared/ping.ts',
        'provisioning-jobs-not-to-upper-modules: src/modules/provisioning-jobs/bad.ts → src/modules/sip-accounts/sip-accounts.repository.ts',
        'provisioning-jobs-not-to-upper-modules: src/modules/provisioning-jobs/bad.ts → src/modules/auth/login.ts',
        'provisioning-jobs-not-to-upper-modules: src/modules/provisioning-jobs/bad.ts → src/modules/onboarding/start.ts',
        'auth-only-to-users: src/modules/auth/register.ts → src/modules/sip-accounts/sip-accounts.repository.ts',
        'mail-to-no-feature-module: src/modules/mail/bad.ts → src/modules/users/users.repository.ts',
        'src-not-to-dev-dependencies: src/shared/uses-dev-dependency.ts → vitest',
      ].sort(),
    );
  });

  it('finds the module cycles, also the one through a sub-folder', async () => {
    expect(moduleCycles(await cruiseTree(FIXTURE))).toEqual([
      'module cycle src/modules/alpha ⇄ src/modules/beta: src/modules/alpha → src/modules/beta → src/modules/alpha',
      'module cycle src/modules/delta ⇄ src/modules/gamma: src/modules/delta → src/modules/gamma → src/modules/delta',
    ]);
  });

  it('counts lines as wc -l does', () => {
    expect(lineCount(path.join(FIXTURE, 'src/modules/beta/b.ts'))).toBe(1);
    expect(lineCount(path.join(FIXTURE, 'src/modules/beta/b2.ts'))).toBe(3);
  });
});
