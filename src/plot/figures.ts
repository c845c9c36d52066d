import type { Curve, HighestConfidence } from "../metrics/curves";

/** A plotly.js figure: plain JSON (data traces and a layout). */
export interface Figure {
  readonly data: Record<string, unknown>[];
  readonly layout: Record<string, unknown>;
}

/** What a curves figure needs from an explanation. */
export interface CurvesSource {
  readonly insertion: Curve;
  readonly deletion: Curve;
  readonly highestConfidence: Readonly<Record<string, HighestConfidence>>;
  readonly target: { readonly label: string };
}

/** Insertion and deletion curves with a marker at the highest-confidence point (≤ 100 %). */
export function curvesFigure(source: CurvesSource): Figure {
  const best = source.highestConfidence["1"];
  const line = (name: string, c: Curve, colour: string) => ({
    type: "scatter",
    mode: "lines+markers",
    name: `${name} (AUC ${c.auc.toFixed(3)})`,
    x: c.x,
    y: c.y,
    line: { color: colour },
    marker: { size: 4 },
  });
  const data: Record<string, unknown>[] = [
    line("insertion", source.insertion, "#d62728"),
    line("deletion", source.deletion, "#1f77b4"),
  ];
  if (best) {
    data.push({ type: "scatter", mode: "markers", name: "highest confidence", x: [best.area], y: [best.score], marker: { size: 12, symbol: "star", color: "#ff7f0e" } });
  }
  return {
    data,
    layout: {
      title: { text: `Region insertion / deletion — ${source.target.label}` },
      xaxis: { title: { text: "area revealed (insertion) / removed (deletion)" }, range: [0, 1] },
      yaxis: { title: { text: "target score" }, range: [0, 1.05] },
      height: 360,
      margin: { l: 60, r: 20, t: 50, b: 50 },
    },
  };
}
