import path from "node:path";

/** The WordNet id at the start of an ImageNet-style file name (`n01531178_goldfinch.JPEG`), or undefined. */
export function wnidFromFilename(file: string): string | undefined {
  return /^(n\d{8})(?:[_.\-\s]|$)/.exec(path.basename(file))?.[1];
}

/**
 * The true class of every file from its name, looked up in the model's WordNet ids (line i of
 * the labels file = class i). Checks every file before anything runs and reports all the
 * problems at once.
 */
export function trueClassesFromFilenames(files: readonly string[], wnids: readonly (string | undefined)[]): number[] {
  const index = new Map<string, number>();
  wnids.forEach((w, i) => w !== undefined && !index.has(w) && index.set(w, i));
  if (index.size === 0) {
    throw new RangeError("--labels-from-filename needs a labels file whose lines start with WordNet ids (\"n01440764 tench, Tinca tinca\"); this model's labels have none");
  }
  const problems: string[] = [];
  const classes = files.map((file) => {
    const wnid = wnidFromFilename(file);
    const c = wnid === undefined ? undefined : index.get(wnid);
    if (c === undefined) {
      problems.push(wnid === undefined ? `${path.basename(file)} does not start with a WordNet id (nXXXXXXXX_name.JPEG)` : `${path.basename(file)}: ${wnid} is not a class of this model`);
    }
    return c ?? -1;
  });
  if (problems.length > 0) throw new RangeError(`--labels-from-filename: ${problems.join("; ")}`);
  return classes;
}
