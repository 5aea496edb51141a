// The orders channel: the book as the execution engine holds it (orders, positions, fills).
import type { ExecutionEngine } from '../../execution/execution-engine';
import type { DomainHandlers } from './combine';

export interface OrderHandlerDeps {
  execution: Pick<ExecutionEngine, 'snapshot'>;
}

export function orderHandlers(deps: OrderHandlerDeps): DomainHandlers<'orders.list'> {
  return { 'orders.list': () => deps.execution.snapshot() };
}
