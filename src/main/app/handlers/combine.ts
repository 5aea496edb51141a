// The one typed handler map, combined from the domains' shares. The types prove that every contract
// channel has exactly one handler: a channel no domain answers, or one two domains answer, does not
// compile (and is refused again at run time, for a map that was cast).
import { requestChannels, type RequestChannel } from '../../../shared/contract';
import type { HandlerMap } from '../../ipc/dispatcher';

/** A domain's share of the handler map: the channels it answers, each with its typed handler. */
export type DomainHandlers<C extends RequestChannel> = Pick<HandlerMap, C>;

/** The channels of each map in a union (keyof a union would give only the shared ones). */
type ChannelsOf<M> = M extends unknown ? keyof M : never;

/** The channels two or more of the maps answer; never when each is answered once. */
type AnsweredTwice<Ms extends readonly object[], Seen = never> = Ms extends readonly [infer Head, ...infer Rest extends readonly object[]]
  ? Extract<keyof Head, Seen> | AnsweredTwice<Rest, Seen | keyof Head>
  : never;

/** The channels none of the maps answers; never when the maps cover the contract. */
type Unanswered<Ms extends readonly object[]> = Exclude<RequestChannel, ChannelsOf<Ms[number]>>;

/** Resolves to the maps themselves when they answer every channel once, else to a type naming the fault. */
type ExactlyOnce<Ms extends readonly object[]> = [AnsweredTwice<Ms>] extends [never]
  ? [Unanswered<Ms>] extends [never]
    ? Ms
    : { error: 'these channels have no handler'; channels: Unanswered<Ms> }
  : { error: 'these channels have more than one handler'; channels: AnsweredTwice<Ms> };

export function combineHandlers<const Ms extends readonly Partial<HandlerMap>[]>(...maps: Ms & ExactlyOnce<Ms>): HandlerMap {
  const combined: Partial<Record<RequestChannel, unknown>> = {};
  for (const map of maps as readonly Partial<HandlerMap>[]) {
    for (const channel of Object.keys(map) as RequestChannel[]) {
      if (channel in combined) throw new Error(`handler map: ${channel} has more than one handler`);
      combined[channel] = map[channel];
    }
  }
  const missing = requestChannels.filter((c) => !(c in combined));
  if (missing.length > 0) throw new Error(`handler map: no handler for ${missing.join(', ')}`);
  return combined as HandlerMap;
}
