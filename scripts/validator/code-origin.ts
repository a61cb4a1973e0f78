/**
 * Kommo runs script.js inside every page of the account with the user's session: code it loads
 * from an address that localStorage, the page's URL or a cookie names can be anybody's code
 * (issue 13: the dev loader did exactly this). The widget's own parts come from
 * `this.params.path` (src/platform/widget-part.ts), which Kommo sets, and pass.
 * Loaders: AMD (define, require, requirejs, names bound to them), import(), eval, Function,
 * Worker, importScripts, $.getScript, a `src` (assigned, in an object literal, or through
 * setAttribute/attr), document.write. runtime-taint.ts says which values were read at run time.
 */
import ts from 'typescript';
import type { Fault } from './types';
import { CODE_FROM_RUNTIME_ORIGIN, fault } from './types';
import { LOADERS, analyseRuntimeValues, memberName, unwrap } from './runtime-taint';
import type { TaintedScript } from './runtime-taint';

export interface CodeLoad {
  /** What the address was read from, e.g. `localStorage`. */
  source: string;
  /** The loading expression, shortened. */
  sink: string;
  line: number;
  column: number;
}

const GLOBAL_LOADERS = new Set(['eval', 'Function', 'importScripts', 'Worker', 'SharedWorker']);
const MEMBER_LOADERS = new Set(['getScript', 'importScripts', ...LOADERS]);

/** The argument of `node` that is a loaded address read at run time, if any: where it was read. */
function loadedFrom(node: ts.Node, script: TaintedScript): string | undefined {
  const { valueOf } = script;
  const anyArgument = (call: ts.CallExpression | ts.NewExpression) => call.arguments?.map(valueOf).find((v) => v !== undefined);
  if (ts.isBinaryExpression(node)) {
    return node.operatorToken.kind === ts.SyntaxKind.EqualsToken && memberName(unwrap(node.left)) === 'src' ? valueOf(node.right) : undefined;
  }
  if (ts.isPropertyAssignment(node)) return ts.isIdentifier(node.name) && node.name.text === 'src' ? valueOf(node.initializer) : undefined;
  if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) return undefined;
  const callee = unwrap(node.expression);
  const member = ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee);
  const name = ts.isIdentifier(callee) ? callee.text : memberName(callee);
  if (callee.kind === ts.SyntaxKind.ImportKeyword || script.isLoader(callee)) return anyArgument(node);
  if (name === undefined) return undefined;
  if (member ? MEMBER_LOADERS.has(name) : GLOBAL_LOADERS.has(name)) return anyArgument(node);
  const [first, second] = node.arguments ?? [];
  if (member && (name === 'setAttribute' || name === 'attr')) return first && ts.isStringLiteralLike(first) && first.text.toLowerCase() === 'src' && second ? valueOf(second) : undefined;
  if (member && (name === 'write' || name === 'writeln') && /(^|\.)document$/.test((callee as ts.PropertyAccessExpression).expression.getText(script.source))) return anyArgument(node);
  return undefined;
}

export function findRuntimeCodeLoads(file: string, text: string): CodeLoad[] {
  const script = analyseRuntimeValues(file, text);
  const found: CodeLoad[] = [];
  for (const node of script.nodes) {
    const from = loadedFrom(node, script);
    if (from === undefined) continue;
    const { line, character } = script.source.getLineAndCharacterOfPosition(node.getStart(script.source));
    const code = node.getText(script.source).replace(/\s+/g, ' ');
    found.push({ source: from, sink: code.length > 80 ? `${code.slice(0, 79)}…` : code, line: line + 1, column: character + 1 });
  }
  return found;
}

export function checkCodeOrigin(file: string, text: string): Fault[] {
  let loads: CodeLoad[];
  try {
    loads = findRuntimeCodeLoads(file, text);
  } catch (error) {
    return [fault(file, `could not be checked for code loaded from a run-time address (${(error as Error).message})`, 'make it plain JavaScript the TypeScript parser reads')];
  }
  return loads.map((load) => ({
    ...fault(
      file,
      `can load code from an address read at run time from ${load.source}: ${load.sink} (line ${load.line}, column ${load.column}); whoever sets that value runs code in every Kommo page`,
      "build for production (npm run build, without --dev: no dev loader), and load only the widget's own files, from this.params.path",
    ),
    rule: CODE_FROM_RUNTIME_ORIGIN,
  }));
}
