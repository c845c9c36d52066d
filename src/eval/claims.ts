import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeFileSync, writeSync, linkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Who holds a lock or a claim: written into the file as `pid host [run]` (run: one evaluation within the process). */
interface Owner {
  readonly pid: number;
  readonly host: string;
  readonly run?: string;
}

const ME: Owner = { pid: process.pid, host: os.hostname() };
let runs = 0;

function ownerText(owner: Owner): string {
  return `${owner.pid} ${owner.host}${owner.run ? ` ${owner.run}` : ""}\n`;
}

function parseOwner(text: string): Owner | undefined {
  const m = /^(\d+) (\S+)(?: (\S+))?\s*$/.exec(text);
  return m ? { pid: Number(m[1]), host: m[2], run: m[3] } : undefined;
}

/** A process on this host is alive when signal 0 reaches it; on another host it is assumed alive. */
function isAlive(owner: Owner): boolean {
  if (owner.host !== ME.host) return true;
  if (owner.pid === ME.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(file: string): Owner | undefined | "gone" {
  try {
    return parseOwner(readFileSync(file, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "gone";
    throw error;
  }
}

/** An empty or unreadable lock older than this is stale (its creator died between create and write). */
const EMPTY_LOCK_MS = 5_000;

/**
 * Removes a stale lock without removing a fresh one that replaced it meanwhile: the file is moved
 * aside first (atomic), and put back when what was moved is not the stale lock that was seen.
 */
function removeStale(file: string, seen: string): void {
  const aside = `${file}.${ME.pid}.${Date.now()}.stale`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = readFileSync(aside, "utf8");
  if (moved !== seen) {
    try {
      linkSync(aside, file);
    } catch {
      // Another lock appeared meanwhile; the moved one's owner keeps running without its file.
    }
  }
  unlinkSync(aside);
}

/** Options of {@link ResultsLock}. */
export interface ResultsLockOptions {
  /** Give up waiting for another process's lock after this long (default 60 000 ms). */
  readonly timeoutMs?: number;
  /** Time between tries (default 20 ms). */
  readonly pollMs?: number;
}

/**
 * Coordinates the processes that write one results file: a short exclusive lock (`<out>.lock`,
 * created with O_EXCL and holding `pid host`) around every read-modify-write of the file, and a
 * claim per (image, method) pair (`<out>.claims/<hash>`) so that two runs never compute the same
 * pair. A lock or claim whose process has died (same host, pid gone) is stale and taken over.
 */
export class ResultsLock {
  readonly lockFile: string;
  readonly claimsDir: string;
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  /** This object's claims: two evaluations in one process tell theirs apart by it. */
  private readonly me: Owner = { ...ME, run: String(++runs) };

  constructor(readonly out: string, options: ResultsLockOptions = {}) {
    this.lockFile = `${out}.lock`;
    this.claimsDir = `${out}.claims`;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.pollMs = options.pollMs ?? 20;
  }

  /** Runs `fn` holding the file lock; waits (up to `timeoutMs`) while another live process holds it. */
  async locked<T>(fn: () => T, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return fn();
    } finally {
      try {
        unlinkSync(this.lockFile);
      } catch {
        // Already gone: nothing to release.
      }
    }
  }

  private async acquire(signal?: AbortSignal): Promise<void> {
    const start = Date.now();
    for (;;) {
      try {
        const fd = openSync(this.lockFile, "wx");
        try {
          writeSync(fd, ownerText(ME));
        } finally {
          closeSync(fd);
        }
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      let text: string;
      try {
        text = readFileSync(this.lockFile, "utf8");
      } catch {
        continue; // Released between our try and the read.
      }
      const owner = parseOwner(text);
      const stale = owner ? !isAlive(owner) : ageMs(this.lockFile) > EMPTY_LOCK_MS;
      if (stale) {
        removeStale(this.lockFile, text);
        continue;
      }
      if (Date.now() - start > this.timeoutMs) {
        throw new Error(
          `${this.out} is locked by process ${owner ? `${owner.pid} on ${owner.host}` : "(unknown)"} for more than ${this.timeoutMs} ms; ` +
            `if no other lima-xai eval is writing it, remove ${this.lockFile}`,
        );
      }
      await sleep(this.pollMs, undefined, { signal });
    }
  }

  private claimFile(key: string): string {
    return path.join(this.claimsDir, `${createHash("sha256").update(key).digest("hex").slice(0, 32)}.claim`);
  }

  /**
   * Claims a pair; call it holding the lock. "mine" when this process now owns it, "busy" while a
   * live process owns it (a dead owner's claim is taken over).
   */
  claim(key: string): "mine" | "busy" {
    const file = this.claimFile(key);
    const owner = readOwner(file);
    const mine = owner !== "gone" && owner !== undefined && owner.pid === ME.pid && owner.host === ME.host && owner.run === this.me.run;
    if (owner !== "gone" && owner !== undefined && isAlive(owner) && !mine) return "busy";
    mkdirSync(this.claimsDir, { recursive: true });
    writeFileSync(file, ownerText(this.me));
    return "mine";
  }

  /** Releases this process's claim of a pair (no lock needed: only the owner removes its claim). */
  release(key: string): void {
    const file = this.claimFile(key);
    const owner = readOwner(file);
    if (owner === "gone" || (owner && (owner.pid !== ME.pid || owner.host !== ME.host || owner.run !== this.me.run))) return;
    try {
      unlinkSync(file);
    } catch {
      // Gone already.
    }
  }

  /** Removes the claims folder when no claim is left in it. */
  cleanUp(): void {
    try {
      if (readdirSync(this.claimsDir).length === 0) rmdirSync(this.claimsDir);
    } catch {
      // Missing, or another run's claims are still there.
    }
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
