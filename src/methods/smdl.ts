import { SMDL_PARAMS } from "../params/lima";
import { submodularMethod } from "./lima";

/** SMDL (Chen et al. 2024): plain greedy submodular search (Algorithm 1) over the regions. */
export const SMDL = submodularMethod({ name: "smdl", title: "SMDL (greedy submodular search)", paper: "Chen et al. 2024, SMDL, Algorithm 1", params: SMDL_PARAMS }, "greedy");
