import fs from 'node:fs';
import path from 'node:path';

/** Directories this process holds: a lock file naming our own pid but not listed here is a previous life's. */
const heldHere = new Set<string>();

/**
 * The embedded database must have one process at a time: two PGlite instances on one directory corrupt it.
 * A lock file holds the owner's pid. A lock left by a process that died (kill -9, power loss) is taken over
 * at once, since its pid is no longer alive — or is our own pid without our holding it, as after a container
 * restart where the service is pid 1 again. A live owner, this process included, makes the open fail.
 */
export function lockDataDirectory(directory: string): () => void {
  const file = path.join(directory, 'pglite.lock');
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      heldHere.add(file);
      return () => {
        heldHere.delete(file);
        fs.rmSync(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(fs.readFileSync(file, 'utf8').trim());
    const ownedByEarlierLife = owner === process.pid && !heldHere.has(file);
    if (Number.isInteger(owner) && owner > 0 && !ownedByEarlierLife && isAlive(owner)) {
      throw new Error(
        `The embedded database in ${directory} is in use by process ${owner}. Stop it first, or use DATABASE_URL (PostgreSQL) to run several instances.`,
      );
    }
    fs.rmSync(file, { force: true }); // its owner is gone
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
