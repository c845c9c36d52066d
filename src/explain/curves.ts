/** Moved to src/metrics/curves.ts (issue 10: the curve code lives with the metrics); kept for src/widgets/explorer.ts's import until it points there. */
export * from "../metrics/curves";
