/**
 * Entry file of the inference worker thread (`inference: "worker"` in OnnxModelOptions): owns one
 * onnxruntime session, opened and checked by onnx.ts's openSession, and runs the batches the main
 * thread sends, in order, with onnx.ts's runSessionBatch. It imports nothing from onnxruntime-node
 * itself (onnx.ts stays the one module that does).
 *
 * Protocol (types ToWorker / FromWorker in onnx.ts): "ready" or "failed" once the session is
 * open; each "run" gets one "result" carrying its input buffer back and the outputs, all
 * transferred; a "cancel" skips a batch not yet started; "dispose" releases the session after
 * the batch in progress and answers "disposed".
 */
import { parentPort, workerData } from "node:worker_threads";
import { type BatchOutput, type FromWorker, type OnnxSession, openSession, runSessionBatch, type ToWorker, toWire, type WorkerInit } from "./onnx";

type Job = Extract<ToWorker, { type: "run" }> | { readonly type: "dispose" };

const port = parentPort;
if (!port) throw new Error("onnx-worker.js is the entry of a worker thread; it is started by createOnnxModel, not run directly");

const init = workerData as WorkerInit;
const queue: Job[] = [];
const cancelled = new Set<number>();
let session: OnnxSession | undefined;
let busy = false;

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  try {
    port!.postMessage(message, [...new Set(transfer)]);
  } catch {
    // An output buffer onnxruntime cannot hand over: send copies instead.
    if (message.type === "result" && message.out) {
      const out: BatchOutput = { output: message.out.output.slice(), features: message.out.features?.slice(), ms: message.out.ms };
      port!.postMessage({ ...message, out }, [message.data.buffer as ArrayBuffer]);
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
  const buffers = [job.data.buffer as ArrayBuffer];
  if (cancelled.delete(job.id) || !session) {
    send({ type: "result", id: job.id, n: job.n, data: job.data }, buffers);
  } else {
    try {
      const out = await runSessionBatch(session, init.card, job.data, job.n);
      const transfer = [...buffers, out.output.buffer as ArrayBuffer];
      if (out.features) transfer.push(out.features.buffer as ArrayBuffer);
      send({ type: "result", id: job.id, n: job.n, data: job.data, out }, transfer);
    } catch (error) {
      send({ type: "result", id: job.id, n: job.n, data: job.data, error: toWire(error) }, buffers);
    }
  }
  setImmediate(() => void next());
}

function schedule(): void {
  if (busy) return;
  busy = true;
  setImmediate(() => void next());
}

port.on("message", (message: ToWorker) => {
  if (message.type === "run") queue.push(message);
  else if (message.type === "cancel") cancelled.add(message.id);
  else {
    // Nothing queued runs after a dispose; the main thread has already rejected those batches.
    for (const job of queue.splice(0)) if (job.type === "run") send({ type: "result", id: job.id, n: job.n, data: job.data }, [job.data.buffer as ArrayBuffer]);
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
