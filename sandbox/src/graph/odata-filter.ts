import { badRequest } from './errors.js';

/**
 * A small OData `$filter` parser and evaluator: the subset Graph clients send to users and
 * contacts (`startswith`, `eq`/`ne`, `in`, `and`/`or`/`not`, parentheses and `any`/`all` lambdas).
 * String literals follow OData: single-quoted, with `''` standing for one quote inside. Parsing is
 * strict, so a client that forgets to escape a quote gets Graph's 400, not a silently wrong query.
 */

export type Literal = string | number | boolean | null;
export type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
export type StringFunction = 'startswith' | 'endswith' | 'contains';

export type FilterNode =
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly operand: FilterNode }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly path: string; readonly value: Literal }
  | { readonly kind: 'in'; readonly path: string; readonly values: readonly Literal[] }
  | {
      readonly kind: 'function';
      readonly name: StringFunction;
      readonly path: string;
      readonly value: string;
    }
  | {
      readonly kind: 'lambda';
      readonly quantifier: 'any' | 'all';
      readonly path: string;
      readonly variable: string;
      readonly predicate: FilterNode;
    };

type Token =
  | { readonly kind: 'ident'; readonly text: string; readonly pos: number }
  | { readonly kind: 'string'; readonly value: string; readonly pos: number }
  | { readonly kind: 'number'; readonly value: number; readonly pos: number }
  | { readonly kind: 'punct'; readonly text: '(' | ')' | ',' | ':' | '/'; readonly pos: number }
  | { readonly kind: 'end'; readonly pos: number };

const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set<string>(['startswith', 'endswith', 'contains']);

/** Parses a `$filter` value; throws Graph's 400 `BadRequest` ("Invalid filter clause: …") when malformed. */
export function parseFilter(text: string): FilterNode {
  const parser = new Parser(text, tokenize(text));
  const node = parser.expression();
  parser.expectEnd();
  return node;
}

function syntaxError(text: string, pos: number): Error {
  return badRequest(`Invalid filter clause: Syntax error at position ${pos} in '${text}'.`);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text.charAt(i);
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '(' || ch === ')' || ch === ',' || ch === ':' || ch === '/') {
      tokens.push({ kind: 'punct', text: ch, pos: i });
      i += 1;
    } else if (ch === "'") {
      const start = i;
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) {
          throw badRequest(
            `Invalid filter clause: There is an unterminated literal at position ${start} in '${text}'.`,
          );
        }
        const c = text.charAt(i);
        if (c === "'") {
          // OData escapes a quote inside a literal by doubling it.
          if (text.charAt(i + 1) === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += c;
        i += 1;
      }
      tokens.push({ kind: 'string', value, pos: start });
    } else if (/[-\d]/.test(ch)) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      if (m === null) throw syntaxError(text, i);
      tokens.push({ kind: 'number', value: Number(m[0]), pos: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
      const word = m?.[0] ?? ch;
      tokens.push({ kind: 'ident', text: word, pos: i });
      i += word.length;
    } else {
      throw syntaxError(text, i);
    }
  }
  tokens.push({ kind: 'end', pos: text.length });
  return tokens;
}

class Parser {
  private index = 0;

  constructor(
    private readonly text: string,
    private readonly tokens: readonly Token[],
  ) {}

  expression(): FilterNode {
    let left = this.conjunction();
    while (this.acceptWord('or')) left = { kind: 'or', left, right: this.conjunction() };
    return left;
  }

  expectEnd(): void {
    const t = this.peek();
    if (t.kind !== 'end') throw syntaxError(this.text, t.pos);
  }

  private conjunction(): FilterNode {
    let left = this.unary();
    while (this.acceptWord('and')) left = { kind: 'and', left, right: this.unary() };
    return left;
  }

  private unary(): FilterNode {
    if (this.acceptWord('not')) return { kind: 'not', operand: this.unary() };
    return this.primary();
  }

  private primary(): FilterNode {
    if (this.acceptPunct('(')) {
      const inner = this.expression();
      this.expectPunct(')');
      return inner;
    }
    const t = this.peek();
    if (t.kind === 'ident' && FUNCTIONS.has(t.text.toLowerCase()) && this.peekAt(1).kind === 'punct') {
      return this.functionCall();
    }
    const path = this.path();
    if (path.lambda !== undefined) return path.lambda;
    const op = this.peek();
    if (op.kind === 'ident' && COMPARE_OPS.has(op.text.toLowerCase())) {
      this.index += 1;
      return {
        kind: 'compare',
        op: op.text.toLowerCase() as CompareOp,
        path: path.text,
        value: this.literal(),
      };
    }
    if (op.kind === 'ident' && op.text.toLowerCase() === 'in') {
      this.index += 1;
      this.expectPunct('(');
      const values: Literal[] = [this.literal()];
      while (this.acceptPunct(',')) values.push(this.literal());
      this.expectPunct(')');
      return { kind: 'in', path: path.text, values };
    }
    throw syntaxError(this.text, op.pos);
  }

  private functionCall(): FilterNode {
    const name = this.next();
    this.expectPunct('(');
    const path = this.path();
    if (path.lambda !== undefined) throw syntaxError(this.text, name.pos);
    this.expectPunct(',');
    const value = this.literal();
    if (typeof value !== 'string') throw syntaxError(this.text, this.peekAt(-1).pos);
    this.expectPunct(')');
    const fn = (name.kind === 'ident' ? name.text : '').toLowerCase() as StringFunction;
    return { kind: 'function', name: fn, path: path.text, value };
  }

  /** A property path (`displayName`, `a/address`), possibly ending in an `any`/`all` lambda. */
  private path(): { text: string; lambda?: FilterNode } {
    const first = this.next();
    if (first.kind !== 'ident') throw syntaxError(this.text, first.pos);
    const segments = [first.text];
    while (this.acceptPunct('/')) {
      const seg = this.next();
      if (seg.kind !== 'ident') throw syntaxError(this.text, seg.pos);
      const quantifier = seg.text.toLowerCase();
      if ((quantifier === 'any' || quantifier === 'all') && this.acceptPunct('(')) {
        const variable = this.next();
        if (variable.kind !== 'ident') throw syntaxError(this.text, variable.pos);
        this.expectPunct(':');
        const predicate = this.expression();
        this.expectPunct(')');
        const text = segments.join('/');
        return {
          text,
          lambda: { kind: 'lambda', quantifier, path: text, variable: variable.text, predicate },
        };
      }
      segments.push(seg.text);
    }
    return { text: segments.join('/') };
  }

  private literal(): Literal {
    const t = this.next();
    if (t.kind === 'string' || t.kind === 'number') return t.value;
    if (t.kind === 'ident') {
      const word = t.text.toLowerCase();
      if (word === 'null') return null;
      if (word === 'true') return true;
      if (word === 'false') return false;
    }
    throw syntaxError(this.text, t.pos);
  }

  private acceptWord(word: string): boolean {
    const t = this.peek();
    if (t.kind === 'ident' && t.text.toLowerCase() === word) {
      this.index += 1;
      return true;
    }
    return false;
  }

  private acceptPunct(text: string): boolean {
    const t = this.peek();
    if (t.kind === 'punct' && t.text === text) {
      this.index += 1;
      return true;
    }
    return false;
  }

  private expectPunct(text: string): void {
    if (!this.acceptPunct(text)) throw syntaxError(this.text, this.peek().pos);
  }

  private peek(): Token {
    return this.peekAt(0);
  }

  private peekAt(offset: number): Token {
    const t = this.tokens[Math.min(Math.max(this.index + offset, 0), this.tokens.length - 1)];
    if (t === undefined) throw syntaxError(this.text, this.text.length);
    return t;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'end') this.index += 1;
    return t;
  }
}

/** One use of an operator on a property, for checking a resource's supported query shapes. */
export interface FilterUsage {
  /** `eq`, `ne`, `in`, `startswith`, …; inside a lambda prefixed with it, e.g. `any:eq`. */
  readonly op: string;
  /** The property path; inside a lambda the collection path plus the member path (`emailAddresses/address`). */
  readonly path: string;
}

export function filterUsages(node: FilterNode, prefix = ''): FilterUsage[] {
  switch (node.kind) {
    case 'and':
    case 'or':
      return [...filterUsages(node.left, prefix), ...filterUsages(node.right, prefix)];
    case 'not':
      return [{ op: `${prefix}not`, path: '' }, ...filterUsages(node.operand, prefix)];
    case 'compare':
      return [{ op: `${prefix}${node.op}`, path: node.path }];
    case 'in':
      return [{ op: `${prefix}in`, path: node.path }];
    case 'function':
      return [{ op: `${prefix}${node.name}`, path: node.path }];
    case 'lambda':
      return filterUsages(node.predicate, `${prefix}${node.quantifier}:`).map((u) => ({
        op: u.op,
        path: relativeToVariable(u.path, node.variable, node.path),
      }));
  }
}

function relativeToVariable(path: string, variable: string, collection: string): string {
  if (path === variable) return collection;
  return path.startsWith(`${variable}/`) ? `${collection}/${path.slice(variable.length + 1)}` : path;
}

/** Resolves a property path on the item being tested. */
export type PathResolver = (path: string) => unknown;

/**
 * Evaluates a filter. String comparisons ignore case, as both the directory and Exchange do for
 * the properties the stand-in filters on.
 */
export function evaluateFilter(node: FilterNode, resolve: PathResolver): boolean {
  switch (node.kind) {
    case 'and':
      return evaluateFilter(node.left, resolve) && evaluateFilter(node.right, resolve);
    case 'or':
      return evaluateFilter(node.left, resolve) || evaluateFilter(node.right, resolve);
    case 'not':
      return !evaluateFilter(node.operand, resolve);
    case 'compare':
      return compare(resolve(node.path), node.op, node.value);
    case 'in':
      return node.values.some((v) => compare(resolve(node.path), 'eq', v));
    case 'function': {
      const actual = resolve(node.path);
      if (typeof actual !== 'string') return false;
      const a = actual.toLowerCase();
      const v = node.value.toLowerCase();
      if (node.name === 'startswith') return a.startsWith(v);
      if (node.name === 'endswith') return a.endsWith(v);
      return a.includes(v);
    }
    case 'lambda': {
      const collection = resolve(node.path);
      if (!Array.isArray(collection)) return false;
      const test = (member: unknown): boolean =>
        evaluateFilter(node.predicate, (p) => {
          if (p === node.variable) return member;
          if (p.startsWith(`${node.variable}/`))
            return propertyPath(member, p.slice(node.variable.length + 1));
          return resolve(p);
        });
      return node.quantifier === 'any' ? collection.some(test) : collection.every(test);
    }
  }
}

/** Reads `a/b/c` from a plain object. */
export function propertyPath(value: unknown, path: string): unknown {
  let current = value;
  for (const segment of path.split('/')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function compare(actual: unknown, op: CompareOp, expected: Literal): boolean {
  const a = typeof actual === 'string' ? actual.toLowerCase() : (actual ?? null);
  const e = typeof expected === 'string' ? expected.toLowerCase() : expected;
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'gt':
      return a !== null && e !== null && a > e;
    case 'ge':
      return a !== null && e !== null && a >= e;
    case 'lt':
      return a !== null && e !== null && a < e;
    case 'le':
      return a !== null && e !== null && a <= e;
  }
}
