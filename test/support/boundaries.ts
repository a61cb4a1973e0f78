/**
 * Finds breaks of the layout's import and global rules with the TypeScript compiler: imports are
 * resolved the way the compiler resolves them, and a name counts as a browser or host global only
 * when the checker binds it to a declaration of the default libraries, of node_modules, or of a
 * `declare global` block (so a parameter named `document` is not one, and neither is a type).
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** What only src/platform may touch: the page, the host, time, the network, storage, the console. */
const HOST_GLOBALS = new Set([
  'window', 'document', 'navigator', 'location', 'history', 'screen', 'self', 'top', 'parent', 'globalThis',
  'localStorage', 'sessionStorage', 'indexedDB', 'caches',
  'fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'BroadcastChannel', 'Notification', 'Worker',
  'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate',
  'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback', 'cancelIdleCallback',
  'performance', 'crypto', 'alert', 'confirm', 'prompt', 'addEventListener', 'removeEventListener', 'dispatchEvent',
  'APP', '$', 'jQuery', 'define', 'console',
]);

export interface BoundaryReport {
  relayImports: string[];
  protocolImports: string[];
  globals: string[];
  filesChecked: { relay: number; core: number };
}

export interface BoundaryCheckOptions {
  /** For the check's own tests: extra (virtual) files, served by `host`. */
  files?: string[];
  host?: ts.CompilerHost;
}

function listTs(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => path.join(dir, name));
}

const inside = (file: string, dir: string) => !path.relative(dir, file).startsWith('..');

function isTypePosition(node: ts.Node): boolean {
  for (let at: ts.Node | undefined = node.parent; at !== undefined; at = at.parent) {
    if (ts.isTypeNode(at) || ts.isTypeAliasDeclaration(at) || ts.isInterfaceDeclaration(at) || ts.isHeritageClause(at)) return true;
    if (ts.isImportDeclaration(at) || ts.isExportDeclaration(at) || ts.isImportEqualsDeclaration(at)) return true;
  }
  return false;
}

/** The identifier names something (not a member name, not the name being declared). */
function isReference(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isQualifiedName(parent) && parent.right === node) return false;
  // The name a declaration declares (a variable, parameter, property, function...), except `{ fetch }`, which also reads it.
  const declared = (parent as { name?: ts.Node }).name;
  if (declared === node && !ts.isShorthandPropertyAssignment(parent)) return false;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  return !isTypePosition(node);
}

function declaredByHost(symbol: ts.Symbol, program: ts.Program): boolean {
  const declarations = symbol.declarations ?? [];
  if (declarations.length === 0) return false;
  return declarations.every((declaration) => {
    const file = declaration.getSourceFile();
    if (program.isSourceFileDefaultLibrary(file) || file.fileName.includes(`${path.sep}node_modules${path.sep}`) || file.fileName.includes('/node_modules/')) return true;
    for (let at: ts.Node | undefined = declaration; at !== undefined; at = at.parent) {
      if (ts.isModuleDeclaration(at) && (at.flags & ts.NodeFlags.GlobalAugmentation) !== 0) return true;
    }
    return false;
  });
}

export function findBoundaryViolations(root: string, options: BoundaryCheckOptions = {}): BoundaryReport {
  const srcDir = path.join(root, 'src');
  const protocolDir = path.join(srcDir, 'protocol');
  const platformDir = path.join(srcDir, 'platform');
  const relayDir = path.join(root, 'relay');
  const extra = options.files ?? [];
  const relayFiles = [...listTs(path.join(relayDir, 'src')), ...extra.filter((f) => inside(f, relayDir))];
  const srcFiles = [...listTs(srcDir), ...extra.filter((f) => inside(f, srcDir))];
  const coreFiles = srcFiles.filter((f) => !inside(f, platformDir));

  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const compilerOptions = { ...parsed.options, noEmit: true };
  const program = ts.createProgram({ rootNames: [...relayFiles, ...srcFiles], options: compilerOptions, ...(options.host ? { host: options.host } : {}) });
  const checker = program.getTypeChecker();
  const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');

  function importsOf(file: string): Array<{ spec: string; resolved: string | null }> {
    const source = program.getSourceFile(file);
    if (source === undefined) return [];
    const found: Array<{ spec: string; resolved: string | null }> = [];
    const visit = (node: ts.Node) => {
      let spec: ts.Expression | undefined;
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) spec = node.moduleSpecifier;
      if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) spec = node.arguments[0];
      if (spec !== undefined && ts.isStringLiteral(spec)) {
        const result = ts.resolveModuleName(spec.text, file, compilerOptions, options.host ?? ts.sys);
        found.push({ spec: spec.text, resolved: result.resolvedModule?.resolvedFileName ?? null });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return found;
  }

  const relayImports: string[] = [];
  for (const file of relayFiles) {
    for (const { spec, resolved } of importsOf(file)) {
      if (resolved !== null && inside(resolved, srcDir) && !inside(resolved, protocolDir)) relayImports.push(`${rel(file)} imports ${spec}`);
    }
  }
  const protocolImports: string[] = [];
  for (const file of srcFiles.filter((f) => inside(f, protocolDir))) {
    for (const { spec, resolved } of importsOf(file)) {
      const local = resolved !== null && inside(resolved, protocolDir) && !resolved.includes('node_modules');
      if (!local) protocolImports.push(`${rel(file)} imports ${spec}`);
    }
  }

  const globals: string[] = [];
  for (const file of coreFiles) {
    const source = program.getSourceFile(file);
    if (source === undefined) continue;
    const visit = (node: ts.Node) => {
      if (ts.isIdentifier(node) && isReference(node)) {
        const symbol = ts.isShorthandPropertyAssignment(node.parent)
          ? checker.getShorthandAssignmentValueSymbol(node.parent)
          : checker.getSymbolAtLocation(node);
        const line = source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        // `globalThis` is the one global the checker gives no declaration.
        const bare = symbol !== undefined && node.text === 'globalThis' && (symbol.declarations ?? []).length === 0;
        if (bare || (symbol !== undefined && declaredByHost(symbol, program))) {
          if (HOST_GLOBALS.has(node.text)) globals.push(`${rel(file)}:${line} ${node.text}`);
          // The clock is injected: Date itself is fine (formatting a given time), Date.now() is not.
          else if (node.text === 'Date' && ts.isPropertyAccessExpression(node.parent) && node.parent.name.text === 'now') globals.push(`${rel(file)}:${line} Date.now`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { relayImports, protocolImports, globals, filesChecked: { relay: relayFiles.length, core: coreFiles.length } };
}
