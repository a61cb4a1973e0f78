/**
 * Which values of a script were read at run time from where anyone but Kommo can set them: a
 * flow-insensitive taint analysis over its syntax tree (scripts/validator/code-origin.ts asks it
 * whether such a value reaches a code loader). The TypeScript parser and binder resolve every
 * name to its declaration, so two `url`s of two functions stay apart.
 * Sources: values the page's URL, another site, an extension or the user can set: localStorage,
 * sessionStorage, a storage event's newValue/oldValue, location.hash/search/href,
 * document.cookie/referrer/URL/documentURI.
 * Loaders it recognises: define, require, requirejs, and any name bound to one.
 * Taint flows through variables, assignments, object properties (by name, across the file), the
 * parameters and return value of a function called directly or through `.call`; whatever is
 * computed from a tainted value is tainted (a choice between fixed values, or a comparison, is not).
 */
import ts from 'typescript';

const STORAGE = new Set(['localStorage', 'sessionStorage']);
const DOCUMENT_PARTS = new Set(['cookie', 'referrer', 'URL', 'documentURI']);
const STORAGE_EVENT_PARTS = new Set(['newValue', 'oldValue']);
const LOCATION_PARTS = new Set(['hash', 'search', 'href']);
export const LOADERS = new Set(['define', 'require', 'requirejs']);
const ASSIGNMENT = new Set([ts.SyntaxKind.EqualsToken, ts.SyntaxKind.PlusEqualsToken, ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.AmpersandAmpersandEqualsToken]);
/** Passes over the bindings until nothing new is tainted; each pass only adds, so this is a safety stop. */
const MAX_PASSES = 50;

type Fn = ts.SignatureDeclaration & { body?: ts.Node };

export function unwrap(node: ts.Expression): ts.Expression {
  let at = node;
  while (ts.isParenthesizedExpression(at) || ts.isNonNullExpression(at)) at = at.expression;
  return at;
}

export function memberName(node: ts.Node): string | undefined {
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) return node.argumentExpression.text;
  return undefined;
}

function parse(file: string, text: string): { source: ts.SourceFile; checker: ts.TypeChecker } {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const host = ts.createCompilerHost({});
  host.getSourceFile = (name) => (name === file ? source : undefined);
  host.fileExists = (name) => name === file;
  const program = ts.createProgram({ rootNames: [file], options: { allowJs: true, noLib: true, noResolve: true, types: [], noEmit: true }, host });
  return { source, checker: program.getTypeChecker() };
}

/** What a name, a property name or a function's return value is known to hold. */
type Kind = 'value' | 'storage' | 'location' | 'loader';
interface Facts {
  symbols: Map<ts.Symbol, string>;
  props: Map<string, string>;
  returns: Map<ts.Node, string>;
}

const BOOLEAN_OPERATORS = new Set([
  ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken, ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken,
  ts.SyntaxKind.InstanceOfKeyword, ts.SyntaxKind.InKeyword,
]);
/** Storage members that are not stored values. */
const STORAGE_API = new Set(['setItem', 'removeItem', 'clear', 'length', 'addEventListener', 'removeEventListener']);

export interface TaintedScript {
  source: ts.SourceFile;
  /** Every node, in source order. */
  nodes: ts.Node[];
  /** Where the value of `node` was read from (`localStorage`, `location.hash`...), if it was. */
  valueOf(node: ts.Node): string | undefined;
  /** `node` is an AMD loader (define, require, requirejs or a name bound to one). */
  isLoader(node: ts.Expression): boolean;
}

export function analyseRuntimeValues(file: string, text: string): TaintedScript {
  const { source, checker } = parse(file, text);
  const KINDS: Kind[] = ['value', 'storage', 'location', 'loader'];
  const facts = Object.fromEntries(KINDS.map((kind) => [kind, { symbols: new Map(), props: new Map(), returns: new Map() }])) as Record<Kind, Facts>;
  let changed = false;

  const symbolOf = (id: ts.Identifier): ts.Symbol | undefined =>
    ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id ? checker.getShorthandAssignmentValueSymbol(id.parent) : checker.getSymbolAtLocation(id);

  /** The function a callee names: an inline function, or a name declared as one. */
  const declaredFunction = (callee: ts.Expression): Fn | undefined => {
    const at = unwrap(callee);
    if (ts.isFunctionExpression(at) || ts.isArrowFunction(at)) return at;
    if (!ts.isIdentifier(at)) return undefined;
    const declaration = symbolOf(at)?.valueDeclaration;
    if (declaration && ts.isFunctionDeclaration(declaration)) return declaration;
    const init = declaration && ts.isVariableDeclaration(declaration) ? declaration.initializer && unwrap(declaration.initializer) : undefined;
    return init && (ts.isFunctionExpression(init) || ts.isArrowFunction(init)) ? init : undefined;
  };
  /** The function a call runs, and where its first argument is (1 for `f.call(thisArg, ...)`). */
  const calledFunction = (call: ts.CallExpression | ts.NewExpression): { fn: Fn; first: number } | undefined => {
    const direct = declaredFunction(call.expression);
    if (direct) return { fn: direct, first: 0 };
    const callee = unwrap(call.expression);
    const viaCall = ts.isPropertyAccessExpression(callee) && callee.name.text === 'call' ? declaredFunction(callee.expression) : undefined;
    return viaCall && { fn: viaCall, first: 1 };
  };
  const functionOf = (call: ts.CallExpression | ts.NewExpression): Fn | undefined => calledFunction(call)?.fn;

  /** An object (storage, location) or a loader, by what it is named or was bound to. */
  const named: Record<Exclude<Kind, 'value'>, (name: string) => string | undefined> = {
    storage: (name) => (STORAGE.has(name) ? name : undefined),
    location: (name) => (name === 'location' ? name : undefined),
    loader: (name) => (LOADERS.has(name) ? name : undefined),
  };
  const objectOf = (kind: Exclude<Kind, 'value'>, node: ts.Expression): string | undefined => {
    const at = unwrap(node);
    const known = facts[kind];
    if (ts.isIdentifier(at)) {
      const symbol = symbolOf(at);
      // A parameter named `define` (the dev-loader wrapper's) is still the loader.
      return (symbol && known.symbols.get(symbol)) ?? (!symbol || kind === 'loader' ? named[kind](at.text) : undefined);
    }
    if (ts.isConditionalExpression(at)) return objectOf(kind, at.whenTrue) ?? objectOf(kind, at.whenFalse);
    if (ts.isBinaryExpression(at)) return objectOf(kind, at.right) ?? (at.operatorToken.kind !== ts.SyntaxKind.CommaToken ? objectOf(kind, at.left) : undefined);
    if (ts.isCallExpression(at)) {
      const fn = functionOf(at);
      return fn && known.returns.get(fn);
    }
    const name = memberName(at);
    return name === undefined ? undefined : (named[kind](name) ?? known.props.get(name));
  };

  /** Where the value of `node` was read from, when it carries a value read at run time. */
  const valueOf = (node: ts.Node): string | undefined => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node) || ts.isObjectLiteralExpression(node) || ts.isTypeOfExpression(node)) return undefined;
    const known = facts.value;
    if (ts.isIdentifier(node)) {
      const symbol = symbolOf(node);
      return symbol && known.symbols.get(symbol);
    }
    if (ts.isParenthesizedExpression(node)) return valueOf(node.expression);
    if (ts.isConditionalExpression(node)) return valueOf(node.whenTrue) ?? valueOf(node.whenFalse);
    if (ts.isBinaryExpression(node)) {
      const operator = node.operatorToken.kind;
      if (BOOLEAN_OPERATORS.has(operator)) return undefined;
      if (operator === ts.SyntaxKind.CommaToken || operator === ts.SyntaxKind.AmpersandAmpersandToken) return valueOf(node.right);
      return valueOf(node.right) ?? valueOf(node.left);
    }
    const name = memberName(node);
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      const storage = objectOf('storage', node.expression);
      if (storage && !(name !== undefined && STORAGE_API.has(name))) return storage;
      if (name !== undefined && DOCUMENT_PARTS.has(name)) return `document.${name}`;
      if (name !== undefined && STORAGE_EVENT_PARTS.has(name)) return `a storage event's ${name}`;
      if (name !== undefined && LOCATION_PARTS.has(name) && objectOf('location', node.expression)) return `location.${name}`;
      return (name !== undefined ? known.props.get(name) : undefined) ?? valueOf(node.expression);
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const fn = functionOf(node);
      const returned = fn && known.returns.get(fn);
      if (returned) return returned;
      const callee = unwrap(node.expression);
      // storage.getItem(key) is a member read of the storage; a function of a run-time value is one too.
      const receiver = ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee) ? valueOf(callee) : undefined;
      return receiver ?? node.arguments?.map(valueOf).find((v) => v !== undefined);
    }
    return ts.forEachChild(node, valueOf);
  };

  const kindOf = (kind: Kind, value: ts.Expression): string | undefined => (kind === 'value' ? valueOf(value) : objectOf(kind, value));
  const learn = <K>(map: Map<K, string>, key: K | undefined, kind: Kind, value: ts.Expression | undefined): void => {
    if (key === undefined || value === undefined || map.has(key)) return;
    const found = kindOf(kind, value);
    if (found === undefined) return;
    map.set(key, found);
    changed = true;
  };
  const learnSymbol = (symbol: ts.Symbol | undefined, value: ts.Expression | undefined) => KINDS.forEach((kind) => learn(facts[kind].symbols, symbol, kind, value));
  const learnProp = (name: string | undefined, value: ts.Expression) => KINDS.forEach((kind) => learn(facts[kind].props, name, kind, value));
  const learnReturn = (fn: ts.Node | undefined, value: ts.Expression | undefined) => KINDS.forEach((kind) => learn(facts[kind].returns, fn, kind, value));
  const learnNames = (name: ts.BindingName, value: ts.Expression | undefined): void => {
    if (ts.isIdentifier(name)) return learnSymbol(checker.getSymbolAtLocation(name), value);
    for (const element of name.elements) if (!ts.isOmittedExpression(element)) learnNames(element.name, value);
  };

  const nodes: ts.Node[] = [];
  (function collect(node: ts.Node): void {
    nodes.push(node);
    ts.forEachChild(node, collect);
  })(source);

  const bind = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node)) learnNames(node.name, node.initializer);
    else if (ts.isBinaryExpression(node) && ASSIGNMENT.has(node.operatorToken.kind)) {
      const left = unwrap(node.left);
      if (ts.isIdentifier(left)) learnSymbol(symbolOf(left), node.right);
      else learnProp(memberName(left), node.right);
    } else if (ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) learnProp(node.name.text, node.initializer);
    else if (ts.isShorthandPropertyAssignment(node)) learnProp(node.name.text, node.name);
    else if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const called = calledFunction(node);
      called?.fn.parameters.forEach((parameter, i) => learnNames(parameter.name, node.arguments?.[called.first + i]));
    } else if (ts.isReturnStatement(node) && node.expression) learnReturn(ts.findAncestor(node.parent, ts.isFunctionLike), node.expression);
    else if (ts.isArrowFunction(node) && !ts.isBlock(node.body)) learnReturn(node, node.body);
  };
  for (let pass = 0; pass === 0 || (changed && pass < MAX_PASSES); pass++) {
    changed = false;
    for (const node of nodes) bind(node);
  }
  return { source, nodes, valueOf, isLoader: (node) => objectOf('loader', node) !== undefined };
}
