/**
 * `.d.ts` declarations for the npm package, emitted by the TypeScript compiler from the same
 * source that Deno runs, one declaration file per source file.
 *
 * The source imports with `.ts` extensions; the declarations import with `.js`, as Node.js
 * resolution expects (`./x.js` finds `./x.d.ts`).
 *
 * @module
 */
import ts from "typescript";

/** Compiler options of the declaration emit: the library as a Node.js consumer sees it. */
const OPTIONS: ts.CompilerOptions = {
  declaration: true,
  emitDeclarationOnly: true,
  // Deno checks the source (`deno task check`); here only the shapes are needed, and the
  // global `Deno` namespace or `node:sqlite` types need not resolve.
  noCheck: true,
  skipLibCheck: true,
  strict: true,
  allowImportingTsExtensions: true,
  rewriteRelativeImportExtensions: true,
  erasableSyntaxOnly: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2024.d.ts", "lib.esnext.disposable.d.ts", "lib.dom.d.ts"],
  types: [],
};

/** `from "./x.ts"` and `import("./x.ts")` in a declaration become `./x.js`. */
function rewriteExtensions(text: string): string {
  return text.replace(
    /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']+)\.ts(["'])/g,
    (_m, head: string, path: string, tail: string) => `${head}${path}.js${tail}`,
  );
}

/**
 * Emits declarations for the given entry files (and everything they import) into `outDir`,
 * laid out as the source is under `rootDir`. Returns the paths written, relative to `outDir`.
 *
 * @example
 * ```ts ignore
 * const written = emitDeclarations(["/repo/mod.ts"], "/repo", "/repo/dist/npm/types");
 * console.log(written.includes("mod.d.ts"));
 * ```
 */
export function emitDeclarations(entries: string[], rootDir: string, outDir: string): string[] {
  const options = { ...OPTIONS, rootDir, outDir };
  const host = ts.createCompilerHost(options);
  const written: string[] = [];
  host.writeFile = (fileName, text) => {
    Deno.mkdirSync(fileName.slice(0, fileName.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(fileName, rewriteExtensions(text));
    written.push(fileName.slice(outDir.length + 1));
  };
  const program = ts.createProgram({ rootNames: entries, options, host });
  const result = program.emit(undefined, undefined, undefined, true);
  const problems = result.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (result.emitSkipped || problems.length > 0) {
    const text = ts.formatDiagnostics(problems, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => rootDir,
      getNewLine: () => "\n",
    });
    throw new Error(`Declaration emit failed:\n${text}`);
  }
  return written.sort();
}

/**
 * Type-checks the emitted declarations as a Node.js consumer would load them (`nodenext`
 * resolution), so that a broken declaration fails the build rather than a user's compile.
 *
 * @example
 * ```ts ignore
 * checkDeclarations(["/repo/dist/npm/types/mod.d.ts"]);
 * ```
 */
export function checkDeclarations(files: string[]): void {
  const options: ts.CompilerOptions = {
    noEmit: true,
    strict: true,
    skipLibCheck: false,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2024.d.ts", "lib.esnext.disposable.d.ts", "lib.dom.d.ts"],
    types: [],
  };
  const program = ts.createProgram({ rootNames: files, options });
  const problems = ts.getPreEmitDiagnostics(program);
  if (problems.length > 0) {
    const text = ts.formatDiagnostics(problems, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => Deno.cwd(),
      getNewLine: () => "\n",
    });
    throw new Error(`The emitted declarations do not type-check:\n${text}`);
  }
}
