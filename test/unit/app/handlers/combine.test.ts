import { describe, expect, it } from 'vitest';
import { requestChannels, type RequestChannel } from '../../../../src/shared/contract';
import type { HandlerMap } from '../../../../src/main/ipc/dispatcher';
import { combineHandlers, type DomainHandlers } from '../../../../src/main/app/handlers/combine';

// One stub handler per channel, split into two domains' shares.
const stub = () => ({}) as never;
const all = Object.fromEntries(requestChannels.map((c) => [c, stub])) as unknown as HandlerMap;
const { 'app.info': info, ...others } = all;
const app: DomainHandlers<'app.info'> = { 'app.info': info };
const rest: DomainHandlers<Exclude<RequestChannel, 'app.info'>> = others;

describe('combineHandlers', () => {
  it('when the domains answer every channel once then the map has every channel', () => {
    expect(Object.keys(combineHandlers(app, rest)).sort()).toEqual([...requestChannels].sort());
  });

  it('when a channel has no handler, or two, then it does not compile and is refused at run time', () => {
    // @ts-expect-error app.info has no handler
    expect(() => combineHandlers(rest)).toThrow('no handler for app.info');
    // @ts-expect-error app.info has two handlers
    expect(() => combineHandlers(app, rest, app)).toThrow('app.info has more than one handler');
  });
});
