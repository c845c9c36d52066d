/** Evaluation of attribution methods on image folders (METHOD.md §6 metrics, §8 baselines). */
export { evalCommand, EVAL_USAGE, listImages, summaryPaths } from "./cli";
export { wnidFromFilename, trueClassesFromFilenames } from "./labels";
export { DEFAULT_EVAL_DIVISION, EVAL_METHODS, methodSettings, runMethod, type EvalMethod, type MethodOptions, type MethodRun } from "./methods";
export { appendRecord, pairKey, readRecords, repairRecords, type ClassRef, type EvalRecord } from "./records";
export { ResultsLock, type ResultsLockOptions } from "./claims";
export { summaryHtml } from "./report";
export { runEvaluation, type EvalImage, type EvalMetricOptions, type EvalProgress, type EvaluationOptions, type EvaluationResult } from "./runner";
export { metricValues, summarise, summaryCsv, summaryTable, type SummaryGroup, type SummaryRow } from "./summary";
