import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { figureBundle, toMimeBundle } from "../../src/jupyter/mime";
import { curvesFigure, type Figure } from "../../src/plot/figures";
import { escapeXml, FigureSvgError, figureSvg, niceTicks } from "../../src/plot/svg";

/** Attributes of every element `tag` (with `class` containing `cls` when given), in document order. */
function elements(svg: string, tag: string, cls?: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  for (const m of svg.matchAll(new RegExp(`<${tag}\\s([^>]*?)/?>`, "g"))) {
    const attrs = Object.fromEntries([...m[1].matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]));
    if (cls === undefined || (attrs.class ?? "").split(" ").includes(cls)) found.push(attrs);
  }
  return found;
}

/** The plot area and the axis mapping its attributes declare. */
function mapping(svg: string) {
  const [area] = elements(svg, "rect", "plot-area");
  const [x0, x1] = area["data-x-range"].split(",").map(Number);
  const [y0, y1] = area["data-y-range"].split(",").map(Number);
  const left = Number(area.x), top = Number(area.y), w = Number(area.width), h = Number(area.height);
  return { x0, x1, y0, y1, left, top, w, h, px: (x: number) => left + ((x - x0) / (x1 - x0)) * w, py: (y: number) => top + ((y1 - y) / (y1 - y0)) * h };
}

/** Text content of elements with class `cls`, entities decoded. */
function texts(svg: string, cls: string): string[] {
  return [...svg.matchAll(new RegExp(`<text class="${cls}"[^>]*>([^<]*)</text>`, "g"))].map((m) => decode(m[1]));
}

const decode = (s: string) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));
const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 0.011, `${what}: ${a} vs ${b}`);

describe("figureSvg", () => {
  const line: Figure = {
    data: [{ type: "scatter", mode: "lines+markers", name: "probe", x: [0, 2.5, 10], y: [0, 40, 100], line: { color: "#123456" } }],
    layout: { title: { text: "a title" }, xaxis: { range: [0, 10], title: { text: "x axis" } }, yaxis: { range: [0, 100], title: "y axis" }, width: 500, height: 300 },
  };

  it("figureSvg(scatter): markers and the polyline land where the axis ranges of the layout map them", () => {
    const svg = figureSvg(line);
    const m = mapping(svg);
    assert.deepEqual([m.x0, m.x1, m.y0, m.y1], [0, 10, 0, 100], "the layout's ranges are used");
    const circles = elements(svg, "circle", "marker");
    assert.equal(circles.length, 3);
    [[0, 0], [2.5, 40], [10, 100]].forEach(([x, y], i) => {
      close(Number(circles[i].cx), m.px(x), `marker ${i} x`);
      close(Number(circles[i].cy), m.py(y), `marker ${i} y`);
      assert.equal(circles[i].fill, "#123456", "the trace's line colour");
    });
    const [poly] = elements(svg, "polyline", "line");
    const points = poly.points.split(" ").map((p) => p.split(",").map(Number));
    assert.deepEqual(points.map(([x]) => Math.round(x * 100) / 100), [0, 2.5, 10].map((x) => Math.round(m.px(x) * 100) / 100));
    close(points[0][1], m.top + m.h, "y = 0 at the bottom edge");
    close(points[2][1], m.top, "y = 100 at the top edge");
    assert.equal(poly.stroke, "#123456");
  });

  it("figureSvg: ticks sit at their values' positions and are labelled with them; titles are drawn", () => {
    const svg = figureSvg(line);
    const m = mapping(svg);
    const yTicks = [...svg.matchAll(/<text class="tick" data-value="([^"]+)" x="[^"]+" y="([^"]+)">([^<]*)<\/text>/g)].filter((t) => svg.indexOf(t[0]) < svg.indexOf('<g class="x-ticks"'));
    assert.deepEqual(yTicks.map((t) => t[3]), ["0", "20", "40", "60", "80", "100"]);
    for (const t of yTicks) assert.ok(Math.abs(Number(t[2]) - (m.py(Number(t[1])) + 12 * 0.35)) < 0.011, `tick ${t[1]} at its position`);
    assert.deepEqual(texts(svg, "title"), ["a title"]);
    assert.deepEqual(texts(svg, "axis-title x"), ["x axis"]);
    assert.deepEqual(texts(svg, "axis-title y"), ["y axis"], "a plain string title works too");
  });

  it("figureSvg: without a layout range the axes follow the data (5 % padding), and null breaks a line", () => {
    const svg = figureSvg({ data: [{ type: "scatter", mode: "lines", x: [1, 2, 3, 4], y: [2, 4, null, 3] }], layout: {} });
    const m = mapping(svg);
    close(m.y0, 1.9, "y from data");
    close(m.y1, 4.1, "y from data");
    close(m.x0, 0.85, "x from data");
    close(m.x1, 4.15, "x from data");
    assert.equal(elements(svg, "polyline", "line").length, 1, "the segment after the gap has one point: no line");
    assert.equal(elements(svg, "circle", "marker").length, 0, "mode lines draws no markers");
  });

  it("figureSvg: the legend lists the trace names in order, without showlegend: false traces, in the traces' colours", () => {
    const f = curvesFigure({
      insertion: { x: [0, 0.5, 1], y: [0.1, 0.8, 0.9], auc: 0.6 },
      deletion: { x: [0, 0.5, 1], y: [0.9, 0.2, 0.1], auc: 0.3 },
      highestConfidence: { "1": { area: 0.5, score: 0.8, step: 1 } },
      target: { label: "pelican" },
    } as Parameters<typeof curvesFigure>[0]);
    f.data.push({ type: "scatter", mode: "markers", name: "hidden", x: [0.2], y: [0.2], showlegend: false });
    const svg = figureSvg(f);
    const names = [...svg.matchAll(/<g class="legend-item" data-name="([^"]*)">/g)].map((g) => decode(g[1]));
    assert.deepEqual(names, ["insertion (AUC 0.600)", "deletion (AUC 0.300)", "highest confidence"]);
    const legend = svg.slice(svg.indexOf('<g class="legend">'));
    assert.ok(legend.includes('stroke="#d62728"') && legend.includes('stroke="#1f77b4"'), "legend lines in the trace colours");
    // The highest-confidence star: a 10-point polygon centred on (0.5, 0.8).
    const m = mapping(svg);
    const star = svg.slice(svg.indexOf('data-name="highest confidence"')).match(/<polygon class="marker" points="([^"]+)"/)!;
    const pts = star[1].split(" ").map((p) => p.split(",").map(Number));
    assert.equal(pts.length, 10);
    close(pts.reduce((s, p) => s + p[0], 0) / 10 - m.px(0.5), 0, "star centred at x");
    assert.ok(Math.abs(pts.reduce((s, p) => s + p[1], 0) / 10 - m.py(0.8)) < 2, "star near y (a star's centroid of vertices sits slightly below its centre)");
  });

  it("figureSvg: escapes every text — title, names, axis titles, categories — and attribute values", () => {
    const evil = `<script>alert("x")</script> & 'q'`;
    const svg = figureSvg({
      data: [{ type: "bar", name: evil, x: [evil, "b"], y: [1, 2], marker: { color: `red" onload="alert(1)` } }],
      layout: { title: { text: evil }, yaxis: { title: { text: evil } }, showlegend: true },
    });
    assert.ok(!/<script/i.test(svg), "no raw <script");
    assert.ok(!svg.includes(`onload="`), "an attribute value cannot break out of its quotes");
    assert.deepEqual(texts(svg, "title"), [evil], "the title reads back as the original text");
    assert.deepEqual(texts(svg, "axis-title y"), [evil]);
    assert.ok(texts(svg, "tick").includes(evil), "the category label reads back");
    assert.equal(escapeXml("a\u0000b\u0007"), "a\ufffdb\ufffd", "characters XML forbids become U+FFFD");
  });

  it("figureSvg(bar): grouped bars per category, heights by value from a zero base, in trace colours, with error whiskers", () => {
    const svg = figureSvg({
      data: [
        { type: "bar", name: "lima", x: ["insertion", "deletion", "μFidelity"], y: [0.6, 0.2, null], error_y: { type: "data", array: [0.05, 0.01, 0], visible: true }, marker: { color: "#d62728" } },
        { type: "bar", name: "rise", x: ["insertion", "deletion", "μFidelity"], y: [0.4, 0.3, 0.1], marker: { color: "#1f77b4" } },
      ],
      layout: { barmode: "group", title: { text: "bars" } },
    });
    const m = mapping(svg);
    assert.equal(m.y0, 0, "a bar axis starts at zero");
    close(m.y1, 0.65 + 0.65 * 0.05, "up to the highest whisker, padded");
    const bars = elements(svg, "rect", "bar");
    assert.equal(bars.length, 5, "the null value draws no bar");
    const byKey = new Map(bars.map((b) => [`${b.fill}|${b["data-x"]}`, b]));
    for (const [colour, cat, v] of [["#d62728", "insertion", 0.6], ["#d62728", "deletion", 0.2], ["#1f77b4", "insertion", 0.4], ["#1f77b4", "deletion", 0.3], ["#1f77b4", "μFidelity", 0.1]] as const) {
      const b = byKey.get(`${colour}|${cat}`)!;
      close(Number(b.y) + Number(b.height), m.py(0), `${colour} ${cat} base`);
      close(Number(b.y), m.py(v), `${colour} ${cat} top`);
    }
    const x = (c: string, k: string) => Number(byKey.get(`${c}|${k}`)!.x);
    assert.ok(x("#d62728", "insertion") < x("#1f77b4", "insertion") && x("#1f77b4", "insertion") < x("#d62728", "deletion"), "first trace left of second inside a group; groups in category order");
    assert.equal(elements(svg, "path", "error").length, 2, "whiskers for the two non-zero errors");
    assert.deepEqual([...svg.matchAll(/<g class="legend-item" data-name="([^"]*)">/g)].map((g) => g[1]), ["lima", "rise"]);
  });

  it("figureSvg refuses what it cannot draw, naming the type and the supported ones", () => {
    assert.throws(() => figureSvg({ data: [{ type: "heatmap", name: "h", z: [[1]] }], layout: {} }), (e: Error) => e instanceof FigureSvgError && /type "heatmap"/.test(e.message) && /scatter, bar/.test(e.message));
    assert.throws(() => figureSvg({ data: [{ type: "scatter", mode: "text", x: [1], y: [1] }], layout: {} }), /mode "text".*lines, markers, lines\+markers/);
    assert.throws(() => figureSvg({ data: [{ type: "scatter", x: [1], y: [1], marker: { symbol: "hexagram" } }], layout: {} }), /symbol "hexagram".*star/);
    assert.throws(() => figureSvg({ data: [{ type: "bar", x: ["a"], y: [1] }], layout: { barmode: "stack" } }), /barmode "stack"/);
    assert.throws(() => figureSvg({ data: [{ type: "scatter", x: [1], y: ["a"] }], layout: {} }), /trace 0\.y\[0\] is "a"/);
    assert.throws(() => figureSvg(line, { width: 50 }), /width 50 is not allowed/);
  });

  it("niceTicks(lo, hi): steps of 1, 2, 2.5 or 5 × 10^k inside the range", () => {
    assert.deepEqual(niceTicks(0, 1.05), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(-3, 7), [-2, 0, 2, 4, 6]);
    assert.deepEqual(niceTicks(0.85, 4.15), [1, 2, 3, 4]);
    assert.deepEqual(niceTicks(0, 0.65), [0, 0.2, 0.4, 0.6]);
  });
});

describe("figure bundles", () => {
  const figure: Figure = { data: [{ type: "scatter", mode: "lines+markers", name: "a", x: [0, 1], y: [1, 2] }], layout: { title: { text: "T & U" } } };

  it("toMimeBundle(figure) carries the plotly JSON, image/svg+xml, and text/html holding the same SVG as an <img>", async () => {
    const bundle = await toMimeBundle(figure);
    assert.deepEqual(bundle["application/vnd.plotly.v1+json"], figure);
    const svg = bundle["image/svg+xml"] as string;
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640" height="360"/);
    const html = bundle["text/html"] as string;
    const img = /<img src="data:image\/svg\+xml;base64,([^"]+)" width="640" height="360" alt="T &#38; U"\/>/.exec(html);
    assert.ok(img, html.slice(0, 200));
    assert.equal(Buffer.from(img![1], "base64").toString("utf8"), svg);
    assert.ok(!/<svg/.test(html), "no inline <svg>: sanitisers strip it");
  });

  it("figureBundle(figure it cannot draw) keeps the interactive form and says why there is no static one", () => {
    const bundle = figureBundle({ data: [{ type: "heatmap", z: [[1, 2]] }], layout: {} });
    assert.deepEqual(Object.keys(bundle).sort(), ["application/vnd.plotly.v1+json", "text/plain"]);
    assert.match(bundle["text/plain"] as string, /no static rendering: cannot draw trace 0 .*"heatmap"/);
  });
});
