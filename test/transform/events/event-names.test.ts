import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { eventLeftOut, parseEventPatterns } from '../../../src/transform/events/event-names.js';
import { mapMessage } from '../../../src/transform/map-message.js';
import type { MapResult, MappingSettings, SegmentMessage } from '../../../src/transform/types.js';

const only = (text: string) => ({ events: parseEventPatterns(text, 'events'), skipEvents: undefined });
const skip = (text: string) => ({ events: undefined, skipEvents: parseEventPatterns(text, 'skip-events') });
const kept = (name: string, selection: ReturnType<typeof only>) => eventLeftOut(name, selection) === undefined;

describe('parseEventPatterns', () => {
  it('splits at commas, trims, and keeps escaped commas in a name', () => {
    expect(parseEventPatterns(' Signed Up , Order *,A\\,B', 'events')).toEqual(['Signed Up', 'Order *', 'A\\,B']);
    expect(parseEventPatterns(undefined, 'events')).toBeUndefined();
  });

  it.each([['Signed Up,'], [',x'], ['a,,b'], ['a\\']])('refuses %j with a usage error naming the flag', (text) => {
    expect(() => parseEventPatterns(text, 'skip-events')).toThrow(UsageError);
    expect(() => parseEventPatterns(text, 'skip-events')).toThrow(/--skip-events/);
  });
});

describe('eventLeftOut', () => {
  it('matches names exactly and case-sensitively', () => {
    expect(kept('Signed Up', only('Signed Up'))).toBe(true);
    expect(kept('signed up', only('Signed Up'))).toBe(false);
    expect(kept('Signed Up Twice', only('Signed Up'))).toBe(false);
  });

  it('takes * for any run (none included) and ? for one character', () => {
    expect(kept('Order Completed', only('Order *'))).toBe(true);
    expect(kept('Order ', only('Order *'))).toBe(true);
    expect(kept('Orders', only('Order *'))).toBe(false);
    expect(kept('Step 1', only('Step ?'))).toBe(true);
    expect(kept('Step 10', only('Step ?'))).toBe(false);
    expect(kept('Viewed 👟 Page', only('Viewed ? Page'))).toBe(true);
  });

  it('treats regular-expression characters and escaped wildcards literally', () => {
    expect(kept('a.b (x)', only('a.b (x)'))).toBe(true);
    expect(kept('aXb (x)', only('a.b (x)'))).toBe(false);
    expect(kept('50% *off*', only('50% \\*off\\*'))).toBe(true);
    expect(kept('50% offer', only('50% \\*off\\*'))).toBe(false);
    expect(kept('A,B', only('A\\,B'))).toBe(true);
  });

  it('says why: not in --events, or which --skip-events pattern matched', () => {
    expect(eventLeftOut('Clicked', only('Order *,Signed Up'))).toBe('event "Clicked" is not in --events');
    expect(eventLeftOut('Order Refunded', skip('Clicked, Order *'))).toBe('event "Order Refunded" matches --skip-events "Order *"');
    // Two patterns match: the first is named, for every message of the run.
    const twice = skip('*Refunded, Order *');
    for (let i = 0; i < 3; i++) expect(eventLeftOut('Order Refunded', twice)).toBe('event "Order Refunded" matches --skip-events "*Refunded"');
  });

  it('applies both: in --events and not in --skip-events', () => {
    const both = { events: parseEventPatterns('Order *', 'events'), skipEvents: parseEventPatterns('Order Refunded', 'skip-events') };
    expect(eventLeftOut('Order Completed', both)).toBeUndefined();
    expect(eventLeftOut('Order Refunded', both)).toContain('--skip-events');
  });
});

const settings = (over: Partial<MappingSettings> = {}): MappingSettings => ({
  preset: 'classic', pages: 'all', purchases: 'order-completed', time: 'timestamp', updateExistingOnly: false,
  appId: undefined, includeBrazeEvents: false, since: undefined, until: undefined, ...over,
});
const TS = '2025-03-02T10:15:00.000Z';
const run = (msg: SegmentMessage, over: Partial<MappingSettings>): MapResult => mapMessage(msg, settings(over), { trace: false });
const fate = (result: MapResult): string => (result.fate === 'skipped' ? `skipped:${result.reason}:${result.detail}` : result.fate);

describe('mapMessage with --events / --skip-events', () => {
  const order: SegmentMessage = {
    type: 'track', userId: 'u', event: 'Order Completed', timestamp: TS,
    properties: { order_id: 'o1', currency: 'USD', products: [{ product_id: 'p1', price: 5, quantity: 1 }] },
  };

  it('leaves out a track by its name, as filtered with the reason', () => {
    expect(fate(run({ type: 'track', userId: 'u', event: 'Clicked', timestamp: TS }, { skipEvents: ['Click*'] })))
      .toBe('skipped:filtered:event "Clicked" matches --skip-events "Click*"');
  });

  it('selects an Order Completed purchase by the track name', () => {
    expect(fate(run(order, { skipEvents: ['Order Completed'] }))).toMatch(/^skipped:filtered/);
    const sent = run(order, { events: ['Order *'] });
    expect(sent.fate).toBe('sent');
    expect(sent.fate === 'sent' && sent.objects.map((o) => o.kind)).toEqual(['purchases']);
  });

  it('selects a page by the Braze event it becomes, and leaves identify alone', () => {
    const page: SegmentMessage = { type: 'page', userId: 'u', name: 'Pricing', timestamp: TS };
    expect(run(page, { events: ['Viewed * Page'] }).fate).toBe('sent');
    expect(fate(run(page, { events: ['Pricing'] }))).toBe('skipped:filtered:event "Viewed Pricing Page" is not in --events');
    const identify: SegmentMessage = { type: 'identify', userId: 'u', traits: { plan: 'pro' }, timestamp: TS };
    expect(run(identify, { events: ['Nothing'] }).fate).toBe('sent');
  });

  it('keeps notMapped for a page that --pages does not map', () => {
    const page: SegmentMessage = { type: 'page', userId: 'u', timestamp: TS };
    expect(fate(run(page, { pages: 'named', events: ['Nothing'] }))).toMatch(/^skipped:notMapped/);
  });
});
