import fc from 'fast-check';
import { indexMember, parseIndexMember } from './window-index';

describe('the window index member', () => {
  it('reads back the slice and start it was written with, whatever the slice key holds (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: 2 ** 47 }), (sliceKey, start) => {
        expect(parseIndexMember(indexMember(sliceKey, start))).toEqual({ sliceKey, start });
      }),
    );
  });

  it('keeps the replay rollups and slices with a bar in their values apart', () => {
    expect(parseIndexMember(indexMember('~replay', 1000))).toEqual({ sliceKey: '~replay', start: 1000 });
    expect(parseIndexMember(indexMember('tenant=a|b', 20))).toEqual({ sliceKey: 'tenant=a|b', start: 20 });
  });
});
