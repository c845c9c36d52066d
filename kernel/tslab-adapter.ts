/**
 * The one place that touches tslab (unmaintained): its TypeScript converter and executor, and the
 * TypeScript fork it bundles, seen through small local interfaces. The executor reports the last
 * expression through `log` and failures through `error`; this adapter turns them into an outcome.
 * It also works around tslab's limits: shorthand properties naming earlier cells' variables,
 * top-level awaits it does not notice, and type-checking imports of a package that is not in the
 * working directory's node_modules.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { format } from "node:util";

/** Jupyter's description of a failure. */
export interface ErrorInfo {
  readonly ename: string;
  readonly evalue: string;
  readonly traceback: string[];
}

/** What one execution produced. `interrupted`: stopped by an interrupt (SIGINT or a message). */
export type Outcome =
  | { readonly ok: true; readonly value?: unknown; readonly hasValue: boolean }
  | { readonly ok: false; readonly error: ErrorInfo; readonly interrupted: boolean };

export interface CompletionResult {
  readonly start: number;
  readonly end: number;
  readonly candidates: string[];
}

export interface InspectionResult {
  readonly text: string;
}

/** A package that cells may import although the working directory cannot see it. */
export interface ForwardedPackage {
  readonly name: string;
  readonly root: string;
}

interface TslabExecutor {
  execute(src: string): Promise<boolean>;
  inspect(src: string, position: number): { displayParts?: { text: string }[]; documentation?: { text: string }[] } | undefined;
  complete(src: string, position: number): CompletionResult;
  interrupt(): void;
  reset(): void;
  close(): void;
}

/** What tslab's converter returns for a cell; `declOutput` becomes the next cell's declarations. */
interface ConvertResult {
  declOutput?: string;
}

interface TslabConverter {
  convert(prevDecl: string, src: string): ConvertResult;
  close(): void;
}

interface TslabModules {
  converter: { createConverter(o: { isJS?: boolean; isBrowser?: boolean }): TslabConverter; isCompleteCode(src: string): { completed: boolean; indent?: string } };
  executor: { createExecutor(rootDir: string, convs: { node: TslabConverter; browser: TslabConverter; close(): void }, console: { log(...a: unknown[]): void; error(...a: unknown[]): void }): TslabExecutor };
  jupyter: { lastWriteDisplayData?: unknown };
  ts: BundledTypeScript;
}

/** The parts of tslab's bundled TypeScript (5.0) used here. */
interface TsNode {
  readonly kind: number;
  readonly end: number;
  readonly parent: TsNode;
  readonly name?: TsNode & { readonly text?: string };
  readonly initializer?: TsNode;
  getStart(): number;
}

interface TsFileSystem {
  fileExists(p: string): boolean;
  readFile(p: string, encoding?: string): string | undefined;
  directoryExists(p: string): boolean;
  getDirectories(p: string): string[];
  realpath?(p: string): string;
  watchDirectory?(p: string, callback: (fileName: string) => void, recursive?: boolean): { close(): void };
}

interface BundledTypeScript {
  readonly version: string;
  readonly sys: TsFileSystem;
  readonly ScriptTarget: { readonly Latest: number };
  readonly SyntaxKind: { readonly AwaitExpression: number; readonly VariableDeclaration: number; readonly LiteralType: number };
  createSourceFile(fileName: string, text: string, target: number, setParentNodes: boolean): TsNode;
  forEachChild(node: TsNode, visit: (child: TsNode) => void): void;
  isShorthandPropertyAssignment(node: TsNode): boolean;
  isFunctionLike(node: TsNode): boolean;
  isClassLike(node: TsNode): boolean;
  isForOfStatement(node: TsNode): node is TsNode & { readonly awaitModifier?: TsNode };
  isStringLiteralLike(node: TsNode): boolean;
}

function loadTslab(): TslabModules {
  // tslab ships no "exports" map and no types for these paths: load them as plain CommonJS.
  const tslabDir = path.dirname(require.resolve("tslab/package.json"));
  return {
    converter: require("tslab/dist/converter") as TslabModules["converter"],
    executor: require("tslab/dist/executor") as TslabModules["executor"],
    jupyter: require("tslab/dist/jupyter") as TslabModules["jupyter"],
    ts: require(require.resolve("@tslab/typescript-for-tslab", { paths: [tslabDir] })) as BundledTypeScript,
  };
}

/** Stack frames of the kernel's own machinery, hidden from tracebacks. */
const MACHINERY = /\(node:|at node:|sigintHandlersWrap|tslab\/dist|[\\/]kernel[\\/](tslab-adapter|kernel|context)\.[jt]s/;

/** Turns whatever a cell threw into Jupyter's ename / evalue / traceback. */
export function describeError(thrown: unknown): ErrorInfo {
  if (thrown instanceof Error) {
    const stack = (thrown.stack ?? `${thrown.name}: ${thrown.message}`).split("\n").filter((l) => !MACHINERY.test(l));
    return { ename: thrown.name || "Error", evalue: thrown.message, traceback: stack };
  }
  return { ename: "Error", evalue: format(thrown), traceback: [`Uncaught ${format(thrown)}`] };
}

/** Whether `thrown` is Node's "Script execution was interrupted by SIGINT" (vm breakOnSigint). */
function isSigintBreak(thrown: unknown): boolean {
  return (thrown as { code?: unknown } | null)?.code === "ERR_SCRIPT_EXECUTION_INTERRUPTED";
}

/** A cell rewritten for tslab: `lineOffset` lines were added above the user's code. */
export interface PreparedCell {
  readonly code: string;
  readonly lineOffset: number;
}

/** Parses a cell as tslab does: as a module, so that top-level `await (x)` is an await. */
function parseCell(ts: BundledTypeScript, code: string): TsNode {
  return ts.createSourceFile("cell.ts", `export {};\n${code}`, ts.ScriptTarget.Latest, true);
}

/** Whether a cell awaits outside any function or class (`await …` or `for await`). */
function hasTopLevelAwait(ts: BundledTypeScript, cell: TsNode): boolean {
  let found = false;
  const visit = (node: TsNode): void => {
    if (found || ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (node.kind === ts.SyntaxKind.AwaitExpression || (ts.isForOfStatement(node) && node.awaitModifier)) found = true;
    else ts.forEachChild(node, visit);
  };
  visit(cell);
  return found;
}

/**
 * Rewrites a cell around two tslab bugs:
 * - `{ a }` → `{ a: a }` in object literals. tslab rewrites a name declared by an earlier cell
 *   to `exports.a` but leaves a shorthand property alone, so `({ a })` threw ReferenceError. The
 *   two forms mean the same in expressions and in destructuring assignments.
 * - tslab learns that a cell awaits at top level from a compiler diagnostic that TypeScript does
 *   not give for `await (x)` or `for await`, and then runs the cell in a plain function (a
 *   SyntaxError). A leading `await 0;` line, which does get the diagnostic, makes it use an
 *   async function.
 */
export function prepareCell(ts: BundledTypeScript, code: string): PreparedCell {
  const cell = parseCell(ts, code);
  const prefixLength = "export {};\n".length;
  const inserts: { at: number; text: string }[] = [];
  const visit = (node: TsNode): void => {
    if (ts.isShorthandPropertyAssignment(node) && node.name?.text) inserts.push({ at: node.name.end - prefixLength, text: `: ${node.name.text}` });
    ts.forEachChild(node, visit);
  };
  visit(cell);
  let out = code;
  for (const { at, text } of inserts.sort((a, b) => b.at - a.at)) out = out.slice(0, at) + text + out.slice(at);
  return hasTopLevelAwait(ts, cell) ? { code: `await 0;\n${out}`, lineOffset: 1 } : { code: out, lineOffset: 0 };
}

/** String literals longer than this (in characters of source) are widened to `string` in declarations. */
export const LONG_LITERAL = 256;
/** A variable whose declaration is longer than this (characters) is declared `any` for later cells. */
export const LONG_DECLARATION = 65_536;

/**
 * Keeps the declarations carried from cell to cell small. tslab re-parses and re-checks the
 * declarations of every earlier cell (its `prevDecl`) for each new cell, and TypeScript declares
 * `const s = "…"` as `declare const s = "…"` with the whole literal: one cell holding a 50 MB
 * literal made every later cell (and completion, and inspection) parse 50 MB twice. Here a long
 * string literal becomes `string` (as an initializer, `: string`; as a literal type, `string`),
 * and a variable whose declaration is still longer than {@link LONG_DECLARATION} (a huge tuple
 * `as const`, say) is declared `any`. Later cells then cost the same whatever came before.
 */
export function shrinkDeclarations(decl: string, ts: BundledTypeScript = loadTslab().ts): string {
  if (decl.length <= LONG_LITERAL) return decl;
  const file = ts.createSourceFile("__prev__.d.ts", decl, ts.ScriptTarget.Latest, true);
  const edits: { start: number; end: number; text: string }[] = [];
  const visit = (node: TsNode): void => {
    if (node.kind === ts.SyntaxKind.VariableDeclaration && node.name && node.end - node.getStart() > LONG_DECLARATION) {
      edits.push({ start: node.name.end, end: node.end, text: ": any" });
      return;
    }
    if (ts.isStringLiteralLike(node) && node.end - node.getStart() > LONG_LITERAL) {
      const parent = node.parent;
      if (parent.kind === ts.SyntaxKind.VariableDeclaration && parent.initializer === node && parent.name) edits.push({ start: parent.name.end, end: node.end, text: ": string" });
      else if (parent.kind === ts.SyntaxKind.LiteralType) edits.push({ start: node.getStart(), end: node.end, text: "string" });
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (edits.length === 0) return decl;
  let out = "";
  let at = 0;
  for (const edit of edits.sort((a, b) => a.start - b.start)) {
    out += decl.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + decl.slice(at);
}

/** Makes a converter hand {@link shrinkDeclarations}' result to the executor as the next cell's declarations. */
function shrinkingConverter(ts: BundledTypeScript, converter: TslabConverter): TslabConverter {
  const convert = converter.convert.bind(converter);
  converter.convert = (prevDecl, src) => {
    const result = convert(prevDecl, src);
    if (result.declOutput) result.declOutput = shrinkDeclarations(result.declOutput, ts);
    return result;
  };
  return converter;
}

/**
 * Lets the type checker find `pkg` under `<cwd>/node_modules/<name>` when no node_modules folder
 * from `cwd` upwards has it: those paths are answered from `pkg.root`, the way tslab itself
 * forwards `node_modules/tslab`. Patches the bundled TypeScript's file system, which tslab's
 * converter reads through at call time.
 */
function forwardPackage(ts: BundledTypeScript, cwd: string, pkg: ForwardedPackage): void {
  const virtual = path.join(cwd, "node_modules", pkg.name);
  const forward = (p: string): string => (p === virtual || p.startsWith(`${virtual}/`) ? pkg.root + p.slice(virtual.length) : p);
  const sys = ts.sys;
  const { fileExists, readFile, directoryExists, getDirectories, realpath } = sys;
  sys.fileExists = (p) => fileExists.call(sys, forward(p));
  sys.readFile = (p, encoding) => readFile.call(sys, forward(p), encoding);
  sys.directoryExists = (p) => directoryExists.call(sys, forward(p));
  sys.getDirectories = (p) => getDirectories.call(sys, forward(p));
  if (realpath) sys.realpath = (p) => realpath.call(sys, forward(p));
}

/**
 * Turns the bundled TypeScript's directory watchers off. The watch program tslab builds on uses
 * them to re-resolve failed imports when folders change, through a second timer that tslab's
 * one-timer host refuses ("Unexpected pending rebuildTimer"): once a watched folder changed
 * (a node_modules folder appearing in the working directory, files written under it), every later
 * cell failed. Without them an import that failed stays failed until the kernel restarts; files
 * that cells import are still watched (file watchers are kept).
 */
function quietDirectoryWatchers(ts: BundledTypeScript): void {
  ts.sys.watchDirectory = () => ({ close: () => undefined });
}

/** Whether Node finds `name` from `cwd` through node_modules folders. */
function visibleFrom(cwd: string, name: string): boolean {
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "node_modules", name, "package.json"))) return true;
    if (path.dirname(dir) === dir) return false;
  }
}

/** A TypeScript session: executes cells, completes, inspects. */
export class TypeScriptSession {
  private readonly tslab = loadTslab();
  private readonly node: TslabConverter;
  private browser?: TslabConverter;
  private readonly executor: TslabExecutor;
  private value: { set: boolean; value?: unknown } = { set: false };
  private errors: unknown[] = [];
  private diagnostics: string[] = [];
  private interruptRequested = false;
  private lineOffset = 0;

  /**
   * @param rootDir the working directory: cells resolve imports and files from it.
   * @param packages packages cells may import even when `rootDir` cannot see them.
   */
  constructor(rootDir: string, packages: readonly ForwardedPackage[] = []) {
    quietDirectoryWatchers(this.tslab.ts);
    for (const pkg of packages) if (!visibleFrom(rootDir, pkg.name)) forwardPackage(this.tslab.ts, rootDir, pkg);
    this.node = shrinkingConverter(this.tslab.ts, this.tslab.converter.createConverter({ isJS: false, isBrowser: false }));
    const session = this;
    const convs = {
      node: this.node,
      get browser(): TslabConverter {
        return session.browserConverter();
      },
      close: () => {
        this.node.close();
        this.browser?.close();
      },
    };
    this.executor = this.tslab.executor.createExecutor(rootDir, convs, {
      log: (v: unknown) => (this.value = { set: true, value: v }),
      error: (...args: unknown[]) => {
        if (args.length === 1) this.errors.push(args[0]);
        else this.diagnostics.push(format(...this.cellLines(args)));
      },
    });
  }

  /**
   * tslab prints a diagnostic as ("%s%d:%d - %s", file, line, column, message); a diagnostic of
   * the cell itself (file "") gets its line moved back over the lines {@link prepareCell} added.
   */
  private cellLines(args: unknown[]): unknown[] {
    if (args[0] !== "%s%d:%d - %s" || args[1] !== "" || typeof args[2] !== "number") return args;
    return [args[0], args[1], Math.max(1, args[2] - this.lineOffset), ...args.slice(3)];
  }

  /** The version of the TypeScript compiler that checks cells. */
  get typescriptVersion(): string {
    return this.tslab.ts.version;
  }

  private browserConverter(): TslabConverter {
    this.browser ??= shrinkingConverter(this.tslab.ts, this.tslab.converter.createConverter({ isJS: false, isBrowser: true }));
    return this.browser;
  }

  /** Compiles and runs a cell; the last expression's value comes back when there is one. */
  async execute(code: string): Promise<Outcome> {
    this.value = { set: false };
    this.errors = [];
    this.diagnostics = [];
    this.interruptRequested = false;
    let ok: boolean;
    try {
      const cell = prepareCell(this.tslab.ts, code);
      this.lineOffset = cell.lineOffset;
      ok = await this.executor.execute(cell.code);
    } catch (error) {
      ok = false;
      this.errors.push(error);
    }
    if (ok) return { ok: true, value: this.value.value, hasValue: this.value.set };
    if (this.diagnostics.length > 0) {
      return { ok: false, interrupted: false, error: { ename: "TSError", evalue: this.diagnostics.join("\n"), traceback: this.diagnostics } };
    }
    const thrown = this.errors[0];
    return { ok: false, interrupted: this.interruptRequested || isSigintBreak(thrown), error: describeError(thrown) };
  }

  complete(code: string, cursor: number): CompletionResult {
    return this.executor.complete(code, cursor);
  }

  /** The type (and documentation) of the name at `cursor`, or undefined when there is none. */
  inspect(code: string, cursor: number): InspectionResult | undefined {
    const info = this.executor.inspect(code, cursor);
    if (!info) return undefined;
    const head = (info.displayParts ?? []).map((p) => p.text).join("");
    const doc = (info.documentation ?? []).map((p) => p.text).join("");
    // An unknown name comes back as a bare "any": nothing was found.
    if (!head || (head === "any" && !doc)) return undefined;
    return { text: doc ? `${head}\n\n${doc}` : head };
  }

  isComplete(code: string): { complete: boolean; indent: string } {
    const r = this.tslab.converter.isCompleteCode(code);
    return { complete: r.completed, indent: r.indent ?? "" };
  }

  /**
   * Routes tslab's own display API (`import * as tslab from "tslab"; tslab.display.html(…)`) to
   * the kernel: tslab reads a module-level writer at call time.
   */
  setDisplayWriter(write: (content: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient?: { display_id?: string } }, update: boolean) => void): void {
    this.tslab.jupyter.lastWriteDisplayData = write;
  }

  /** Abandons a pending top-level await of the running cell (which then fails as interrupted). */
  interrupt(): void {
    this.interruptRequested = true;
    this.executor.interrupt();
  }

  close(): void {
    this.executor.close();
  }
}
