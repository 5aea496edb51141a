// The blotter slice's shape: the engine's orders (by clientOrderId, newest first), its open positions
// and its recent fills, from `orders.list` on connect and kept live by 'orders.update' and 'positions.update'.
import type { EventPayload, ResponseOf } from '../../../shared/contract';

export type BlotterSnapshot = ResponseOf<'orders.list'>;
export type BlotterOrder = EventPayload<'orders.update'>;
export type BlotterPosition = BlotterSnapshot['positions'][number];
export type BlotterFill = BlotterSnapshot['fills'][number];

export interface BlotterState {
  orders: Record<string, BlotterOrder>;
  /** clientOrderIds, newest submission first. */
  orderIds: string[];
  positions: BlotterPosition[];
  fills: BlotterFill[];
  /**
   * Epoch ms of each order's latest fill, by clientOrderId: from the snapshot's fills and from every
   * 'orders.update' whose filled quantity grew (the engine stamps that update with the fill's time).
   * What the blotter shows as the fill time and where the chart puts the order's marker.
   */
  fillAt: Record<string, number>;
  /** False until the engine has answered `orders.list`. */
  loaded: boolean;
  /** Most orders kept in the blotter; older finished ones drop off. */
  capacity: number;
}

export const initialBlotterState: BlotterState = { orders: {}, orderIds: [], positions: [], fills: [], fillAt: {}, loaded: false, capacity: 1_000 };
