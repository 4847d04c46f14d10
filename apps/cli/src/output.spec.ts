import { renderTable } from './output';

describe('renderTable', () => {
  it('aligns columns to the widest cell and underlines the header', () => {
    expect(renderTable(['a', 'long header'], [['wide cell', 'x']])).toBe(['a          long header', '---------  -----------', 'wide cell  x'].join('\n'));
  });
});
