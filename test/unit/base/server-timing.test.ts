import { describe, expect, it } from 'vitest';
import { ServerTiming } from '../../../src/base/server-timing';

describe('ServerTiming', () => {
  it('renders each span since the previous mark, in order', () => {
    const clock = [10, 10.4, 12.1234, 12.5];
    const timing = new ServerTiming(() => clock.shift()!);
    timing.mark('authorize');
    timing.mark('upstream');
    timing.mark('settle');
    expect(timing.header()).toBe('authorize;dur=0.4, upstream;dur=1.723, settle;dur=0.377');
  });
});
