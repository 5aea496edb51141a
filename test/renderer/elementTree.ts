// A small stand-in for a DOM in the renderer tests (they run under Node, with no DOM library): a
// component that uses no hooks is called as a function, down to the host elements (div, tr, button),
// so a test can find an element by its data-testid and call the handler a click would call. Only
// for plain-props components; anything with hooks is rendered with react-dom/server instead.
import { isValidElement, type ReactElement, type ReactNode } from 'react';

type Props = Record<string, unknown> & { children?: ReactNode };
const MEMO = Symbol.for('react.memo');

function walk(node: ReactNode, visit: (el: ReactElement<Props>) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child as ReactNode, visit);
    return;
  }
  if (!isValidElement<Props>(node)) return;
  const type = node.type as unknown;
  if (typeof type === 'function') {
    walk((type as (p: Props) => ReactNode)(node.props), visit);
    return;
  }
  if (typeof type === 'object' && type !== null && (type as { $$typeof?: symbol }).$$typeof === MEMO) {
    walk(((type as { type: (p: Props) => ReactNode }).type)(node.props), visit);
    return;
  }
  visit(node);
  walk(node.props.children, visit);
}

/** Every host element of the rendered tree whose data-testid passes `match`. */
export function findAllByTestId(node: ReactNode, match: string | RegExp): ReactElement<Props>[] {
  const out: ReactElement<Props>[] = [];
  walk(node, (el) => {
    const id = el.props['data-testid'];
    if (typeof id === 'string' && (typeof match === 'string' ? id === match : match.test(id))) out.push(el);
  });
  return out;
}

export function getByTestId(node: ReactNode, testId: string): ReactElement<Props> {
  const found = findAllByTestId(node, testId);
  if (found.length !== 1) throw new Error(`expected one element with data-testid="${testId}", found ${found.length}`);
  return found[0]!;
}

/** Calls the element's onClick as a click would (with a minimal event). */
export function click(el: ReactElement<Props>): void {
  const onClick = el.props.onClick;
  if (typeof onClick !== 'function') throw new Error(`data-testid="${String(el.props['data-testid'])}" has no onClick`);
  (onClick as (e: unknown) => void)({ preventDefault() {}, stopPropagation() {} });
}
