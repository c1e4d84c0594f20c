import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../../src/base/bounded-map';

describe('BoundedMap', () => {
  it('forgets the oldest entry when a new key would pass its capacity', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('c', 3);
    expect([map.get('a'), map.get('b'), map.get('c'), map.size]).toEqual([undefined, 2, 3, 2]);
  });

  it('replaces an existing key in place without evicting another', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    map.set('a', 10);
    expect([map.get('a'), map.get('b'), map.size]).toEqual([10, 2, 2]);
  });

  it('deletes every entry whose value matches', () => {
    const map = new BoundedMap<string, { owner: string }>(10);
    map.set('x', { owner: 'k1' });
    map.set('y', { owner: 'k2' });
    map.set('z', { owner: 'k1' });
    map.deleteWhere((value) => value.owner === 'k1');
    expect([map.get('x'), map.get('y'), map.get('z'), map.size]).toEqual([undefined, { owner: 'k2' }, undefined, 1]);
  });
});
