import { describe, expect, it } from 'vitest';
import { MessageBus, type BusErrorReport } from '../../../src/main/engine/bus';

type Topics = { 'price': number; 'news': string };
type Endpoints = { 'double': (x: number) => Promise<number> };

describe('MessageBus', () => {
  it('delivers a topic to its subscribers in subscription order, and nothing else', () => {
    const bus = new MessageBus<Topics, Endpoints>();
    const seen: string[] = [];
    bus.subscribe('price', (p) => seen.push(`a${p}`));
    bus.subscribe('price', (p) => seen.push(`b${p}`));
    bus.subscribe('news', (n) => seen.push(`n${n}`));
    bus.publish('price', 1);
    expect(seen).toEqual(['a1', 'b1']);
  });

  it('when a subscriber throws then the others still receive the message and the error is reported', () => {
    const reports: BusErrorReport[] = [];
    const bus = new MessageBus<Topics, Endpoints>((r) => reports.push(r));
    const seen: number[] = [];
    bus.subscribe('price', () => {
      throw new Error('boom');
    });
    bus.subscribe('price', (p) => seen.push(p));
    bus.publish('price', 7);
    expect(seen).toEqual([7]);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.name).toBe('price');
  });

  it('unsubscribing during a publish does not skip the neighbour', () => {
    const bus = new MessageBus<Topics, Endpoints>();
    const seen: string[] = [];
    const off = bus.subscribe('price', () => {
      seen.push('first');
      off();
    });
    bus.subscribe('price', () => seen.push('second'));
    bus.publish('price', 1);
    bus.publish('price', 2);
    expect(seen).toEqual(['first', 'second', 'second']);
  });

  it('request endpoints have exactly one handler and answer requests', async () => {
    const bus = new MessageBus<Topics, Endpoints>();
    expect(bus.hasEndpoint('double')).toBe(false);
    await expect(bus.request('double', 2)).rejects.toThrow(/no handler/);
    const off = bus.register('double', async (x) => x * 2);
    expect(() => bus.register('double', async (x) => x)).toThrow(/already has a handler/);
    expect(await bus.request('double', 21)).toBe(42);
    off();
    expect(bus.hasEndpoint('double')).toBe(false);
  });

  it('subscribeAll hears every topic with its name', () => {
    const bus = new MessageBus<Topics, Endpoints>();
    const seen: Array<[string, unknown]> = [];
    bus.subscribeAll((t, m) => seen.push([String(t), m]));
    bus.publish('price', 3);
    bus.publish('news', 'halt');
    expect(seen).toEqual([['price', 3], ['news', 'halt']]);
  });

  it('when components subscribe in the wrong order then their declared phases still decide who handles a bar first', () => {
    const bus = new MessageBus<Topics, Endpoints>();
    const seen: string[] = [];
    bus.subscribe('price', () => seen.push('screen'));
    bus.subscribe('price', () => seen.push('execution'), 'execution');
    bus.subscribe('price', () => seen.push('signals'), 'signals');
    bus.subscribe('price', () => seen.push('features'), 'features');
    bus.subscribe('price', () => seen.push('cache'), 'data');
    const unsubscribe = bus.subscribe('price', () => seen.push('features 2'), 'features');
    bus.publish('price', 1);
    expect(seen).toEqual(['cache', 'features', 'features 2', 'signals', 'execution', 'screen']);
    unsubscribe();
    seen.length = 0;
    bus.publish('price', 2);
    expect(seen).toEqual(['cache', 'features', 'signals', 'execution', 'screen']);
  });
});
