import { EventEmitter } from 'node:events';
import { credentialPolicy } from '@penumbra/credentials';
import { consoleOutput, exitQuietlyOnClosedPipe, renderTable } from './output';

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

describe('consoleOutput', () => {
  it('prints credentials only as hashes, whichever way the command prints', () => {
    const written: string[] = [];
    const sink = { write: (s: string) => written.push(s) };
    const policy = credentialPolicy({ hashKey: 'k' });
    const out = consoleOutput(sink, sink, policy);
    out.json({ spec: { shadow: { candidate: { baseUrl: 'http://svc:url-secret@candidate' }, headers: { add: { authorization: 'Bearer add-secret-token' } } } } });
    out.line('GET /a?access_token=line-secret');
    out.table(['candidate'], [['https://bob:cell-secret@h']]);
    out.fail('refused Bearer fail-secret-token');
    // fail() marks the process as failed; this one is a test of what it prints.
    process.exitCode = undefined;
    const all = written.join('');
    for (const secret of ['url-secret', 'add-secret-token', 'line-secret', 'cell-secret', 'fail-secret-token']) expect(all).not.toContain(secret);
    expect(all).toContain(policy.hash('Bearer add-secret-token'));
    expect(all).toContain('"baseUrl": "http://[redacted]@candidate"');
  });
});
