/**
 * The memory watchdog's thread (started by ./memory.ts). It reads the kernel's main-thread heap
 * through an inspector session, which the main thread answers even while a cell's loop blocks
 * it, and stops a cell that is about to exhaust the heap: first with SIGINT (which breaks
 * synchronous cell code, as an interrupt does).
 */
import { Session } from "node:inspector";
import { parentPort, workerData } from "node:worker_threads";
import { type WatchData, Slot } from "./memory";

const data = workerData as WatchData;
const state = new Int32Array(data.shared);
const session = new Session();
session.connectToMainThread();
const MB = 2 ** 20;

function heapUsed(): Promise<number> {
  return new Promise((resolve, reject) => session.post("Runtime.getHeapUsage", (error, r) => (error || !r ? reject(error) : resolve((r as { usedSize: number }).usedSize))));
}

/** The heap use that stops a cell that started with `startMb` in use. */
function trigger(startMb: number): number {
  const limitMb = data.limitBytes / MB;
  const mb = Math.min(Math.max(data.fraction * limitMb, startMb + (limitMb - startMb) / 2), 0.95 * limitMb);
  return mb * MB;
}

async function poll(): Promise<void> {
  if (Atomics.load(state, Slot.Running) === 0) return;
  const used = await heapUsed();
  const stage = Atomics.load(state, Slot.Stage);
  if (Atomics.load(state, Slot.Running) === 0 || used <= trigger(Atomics.load(state, Slot.StartMb))) return;
  if (stage === 0) {
    Atomics.store(state, Slot.UsedMb, Math.round(used / MB));
    Atomics.store(state, Slot.Stage, 1);
    process.kill(process.pid, "SIGINT");
  }
  // Code past an await is not broken by SIGINT, and terminating it from here (the inspector's
  // Runtime.terminateExecution) aborts Node 20 itself (an async-context assertion), so such a
  // cell is not stopped: V8 then ends the process as before.
}

let busy = false;
setInterval(() => {
  if (busy) return;
  busy = true;
  poll()
    .catch(() => undefined)
    .finally(() => (busy = false));
}, data.intervalMs);

parentPort!.on("message", (message: { type: string }) => {
  if (message.type !== "measure") return;
  // Garbage first: what is left is what the session still holds.
  session.post("HeapProfiler.collectGarbage", () => {
    heapUsed()
      .then((used) => parentPort!.postMessage({ type: "measured", used }))
      .catch(() => parentPort!.postMessage({ type: "measured", used: -1 }));
  });
});
