/**
 * The JupyterLab 4 mime renderer for plotly figures (`application/vnd.plotly.v1+json`), which our
 * kernel sends for a cell whose value is a figure `{data, layout}` and for an explanation's curves.
 * JupyterLab has no renderer for this type of its own (plotly's is in the Python `plotly`
 * package); without one a user sees only the text fallback "Figure with N trace(s)". The
 * extension bundles plotly.js for the explorer already, so it renders figures too.
 */
import { Widget } from "@lumino/widgets";
import Plotly from "plotly.js-dist-min";

export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** The figure as our kernel sends it (src/plot/figures.ts). */
interface Figure {
  data: Plotly.Data[];
  layout?: Partial<Plotly.Layout>;
  config?: Partial<Plotly.Config>;
}

/** The part of JupyterLab's IRenderMime.IMimeModel a renderer reads (typed here, as in plugin.ts). */
interface MimeModel {
  readonly data: Readonly<Record<string, unknown>>;
}

/** The part of JupyterLab's IRenderMime.IExtension this module provides. */
interface MimeExtension {
  readonly id: string;
  readonly description: string;
  readonly rank: number;
  readonly dataType: "json";
  readonly rendererFactory: {
    readonly safe: boolean;
    readonly mimeTypes: readonly string[];
    readonly defaultRank: number;
    createRenderer(options: { mimeType: string }): PlotlyRenderer;
  };
}

function isFigure(value: unknown): value is Figure {
  return typeof value === "object" && value !== null && Array.isArray((value as Figure).data);
}

/** One figure in an output area: a plotly div that follows the output's width. */
export class PlotlyRenderer extends Widget {
  constructor(private readonly mimeType: string) {
    super();
    this.addClass("lima-plotly-output");
  }

  async renderModel(model: MimeModel): Promise<void> {
    const figure = model.data[this.mimeType];
    if (!isFigure(figure)) throw new TypeError(`${this.mimeType} output is not a plotly figure {data, layout}: ${JSON.stringify(figure)?.slice(0, 200)}`);
    await Plotly.react(this.node, figure.data, { ...figure.layout }, { responsive: true, displaylogo: false, ...figure.config });
  }

  protected override onResize(): void {
    if (this.isVisible && this.node.classList.contains("js-plotly-plot")) void Plotly.Plots.resize(this.node);
  }
}

const extension: MimeExtension = {
  id: "lima-xai-widgets:plotly",
  description: "Renders plotly figures (application/vnd.plotly.v1+json) in notebook outputs",
  // Below text/html (50), image/svg+xml (80), image/png (90) and text/plain (120): a figure's
  // bundle also carries its static fallback as text/html and image/svg+xml (src/jupyter/mime.ts),
  // and the chart is what JupyterLab must show of it.
  rank: 40,
  dataType: "json",
  rendererFactory: { safe: true, mimeTypes: [PLOTLY_MIME], defaultRank: 40, createRenderer: (options) => new PlotlyRenderer(options.mimeType) },
};

export default extension;
