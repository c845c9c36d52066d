import { lime, LIME_PARAMS } from "../baselines/lime";
import { baselineControl, mapMethod, requestDivision } from "./common";

/** LIME (Ribeiro et al. 2016) on the regions: a weighted linear surrogate of random coalitions. */
export const LIME = mapMethod(
  { name: "lime", title: "LIME (regions)", paper: "Ribeiro et al. 2016, eq. 1", params: LIME_PARAMS, usesDivision: true },
  async (model, image, o, request) => {
    const division = requestDivision(image, request);
    return { map: await lime(model, image, { ...o, division, ...baselineControl(request) }), division };
  },
);
