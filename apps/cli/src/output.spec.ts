import { EventEmitter } from 'node:events';
import { exitQuietlyOnClosedPipe, renderTable } from './output';

describe('renderTable', () => {
  it('aligns columns to the widest cell and underlines the header', () => {
    expect(renderTable(['a', 'long header'], [['wide cell', 'x']])).toBe(['a          long header', '---------  -----------', 'wide cell  x'].join('\n'));
  });
});

describe('exitQuietlyOnClosedPipe', () => {
  it('exits 0 on EPIPE and rethrows any other stream error (issue 16, bug 5)', () => {
    const stream = new EventEmitter();
    const exits: number[] = [];
    exitQuietlyOnClosedPipe(stream, (code) => void exits.push(code));
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(exits).toEqual([0]);
    expect(() => stream.emit('error', Object.assign(new Error('boom'), { code: 'EIO' }))).toThrow('boom');
  });
});
