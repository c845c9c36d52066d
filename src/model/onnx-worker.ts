/**
 * Entry file of the inference worker thread (`inference: "worker"` in OnnxModelOptions): owns one
 * onnxruntime session, opened and checked by onnx.ts's openSession, and runs the batches the main
 * thread sends, in order, with onnx.ts's runSessionBatch. It imports nothing from onnxruntime-node
 * itself (onnx.ts stays the one module that does).
 *
 * Protocol (types ToWorker / FromWorker in onnx.ts): "ready" or "failed" once the session is
 * open; "slots" shares the input slots once; each "run" gets one "result" handing its input back
 * (the slot's number, or the transferred buffer) with the outputs, transferred; a "cancel" skips
 * a batch not yet started; "dispose" releases the session after the batch in progress and
 * answers "disposed".
 */
import { parentPort, workerData } from "node:worker_threads";
import { type BatchOutput, type FromWorker, type OnnxSession, openSession, runSessionBatch, type ToWorker, toWire, type WorkerInit } from "./onnx";

type RunJob = Extract<ToWorker, { type: "run" }>;
type Job = RunJob | { readonly type: "dispose" };

const port = parentPort;
if (!port) throw new Error("onnx-worker.js is the entry of a worker thread; it is started by createOnnxModel, not run directly");

const init = workerData as WorkerInit;
const queue: Job[] = [];
const cancelled = new Set<number>();
let session: OnnxSession | undefined;
let busy = false;
/** The shared input slots, and this thread's own input buffer that a slot's batch is copied into (onnxruntime-node refuses shared memory). */
let slots: Float32Array[] = [];
let own: Float32Array | undefined;

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  try {
    port!.postMessage(message, [...new Set(transfer)]);
  } catch {
    // An output buffer onnxruntime cannot hand over: send copies instead.
    if (message.type === "result" && message.out) {
      const out: BatchOutput = { output: message.out.output.slice(), features: message.out.features?.slice(), ms: message.out.ms };
      port!.postMessage({ ...message, out }, message.data ? [message.data.buffer as ArrayBuffer] : []);
    } else throw new Error("cannot send a message to the main thread");
  }
}

/** Runs the next job; jobs are taken one at a time, after pending messages (so a cancel sent during a batch is seen before the next). */
async function next(): Promise<void> {
  const job = queue.shift();
  if (!job) {
    busy = false;
    return;
  }
  if (job.type === "dispose") {
    await session?.release();
    session = undefined;
    send({ type: "disposed" });
    busy = false;
    return;
  }
  for (const id of cancelled) if (id < job.id) cancelled.delete(id);
  const back = handBack(job);
  if (cancelled.delete(job.id) || !session) {
    send({ type: "result", id: job.id, n: job.n, ...back.input }, back.transfer);
  } else {
    try {
      const out = await runSessionBatch(session, init.card, inputOf(job), job.n);
      const transfer = [...back.transfer, out.output.buffer as ArrayBuffer];
      if (out.features) transfer.push(out.features.buffer as ArrayBuffer);
      send({ type: "result", id: job.id, n: job.n, ...back.input, out }, transfer);
    } catch (error) {
      send({ type: "result", id: job.id, n: job.n, ...back.input, error: toWire(error) }, back.transfer);
    }
  }
  setImmediate(() => void next());
}

/** How a batch's input goes back to the main thread: its slot's number, or its buffer, transferred. */
function handBack(job: RunJob): { input: { slot?: number; data?: Float32Array }; transfer: ArrayBuffer[] } {
  return job.data ? { input: { data: job.data }, transfer: [job.data.buffer as ArrayBuffer] } : { input: { slot: job.slot }, transfer: [] };
}

/** The batch's input for onnxruntime: a transferred buffer as it is, a slot copied into this thread's own buffer. */
function inputOf(job: RunJob): Float32Array {
  if (job.data) return job.data;
  const slot = slots[job.slot!];
  if (!slot) throw new Error(`input slot ${job.slot} was never shared with the inference worker`);
  if (!own || own.length < slot.length) own = new Float32Array(slot.length);
  const size = 3 * init.card.size[0] * init.card.size[1] * job.n;
  own.set(slot.subarray(0, size));
  return own.subarray(0, size);
}

function schedule(): void {
  if (busy) return;
  busy = true;
  setImmediate(() => void next());
}

port.on("message", (message: ToWorker) => {
  if (message.type === "slots") {
    slots = message.slots.map((buffer) => new Float32Array(buffer));
    return;
  }
  if (message.type === "run") queue.push(message);
  else if (message.type === "cancel") cancelled.add(message.id);
  else {
    // Nothing queued runs after a dispose; the main thread has already rejected those batches.
    for (const job of queue.splice(0)) {
      if (job.type !== "run") continue;
      const back = handBack(job);
      send({ type: "result", id: job.id, n: job.n, ...back.input }, back.transfer);
    }
    queue.push(message);
  }
  schedule();
});

openSession(init.source, init.card, init.classes, init.sessionOptions, init.batchSize).then(
  (opened) => {
    session = opened.session;
    send({ type: "ready", numClasses: opened.numClasses, batchSize: opened.batchSize });
  },
  (error: unknown) => send({ type: "failed", error: toWire(error) }),
);
