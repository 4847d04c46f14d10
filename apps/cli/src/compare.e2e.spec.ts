import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

jest.setTimeout(60_000);

const bin = join(__dirname, '..', 'bin', 'penumbra.cjs');
const dir = mkdtempSync(join(tmpdir(), 'penumbra-compare-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'compare', ...args], (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
  });
}

describe('penumbra compare', () => {
  const a = file('a.json', '{"total": 10, "items": [1, 2], "requestId": "r1"}');
  const b = file('b.json', '{"total": 10.004, "items": [2, 1], "requestId": "r2"}');
  const rules = file('rules.yaml', 'ignore: ["$..requestId"]\ntolerance: { "$.total": 0.01 }\nunordered: ["$.items"]\n');

  it('exits 0 when the bodies are equal under the rules', async () => {
    const r = await run('--primary', a, '--candidate', b, '--rules', rules, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ equal: true, differences: [] });
  });

  it('exits 1 and lists the differences otherwise', async () => {
    const r = await run('--primary', a, '--candidate', b, '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      equal: false,
      differences: expect.arrayContaining([
        { path: '$.total', kind: 'changed', primary: '10', candidate: '10.004' },
        { path: '$.items', kind: 'order', primary: '[1,2]', candidate: '[2,1]' },
        { path: '$.requestId', kind: 'changed', primary: '"r1"', candidate: '"r2"' },
      ]),
    });
  });

  it('compares text that is not JSON as text', async () => {
    expect((await run('--primary', file('t1.txt', 'hello'), '--candidate', file('t2.txt', 'hello'))).code).toBe(0);
    expect((await run('--primary', file('t3.txt', 'hello'), '--candidate', file('t4.txt', 'world'))).code).toBe(1);
  });

  it('exits 2 naming the problem on bad input', async () => {
    const missing = await run('--primary', join(dir, 'nope.json'), '--candidate', b);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the primary file .*nope\.json: ENOENT/);
    const bad = await run('--primary', a, '--candidate', b, '--rules', file('bad.yaml', 'ignore: "$.x"\n'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad rules:\nignore: /);
    const badPath = await run('--primary', a, '--candidate', b, '--rules', file('badpath.yaml', 'ignore: ["items"]\n'));
    expect(badPath.code).toBe(2);
    expect(badPath.stderr).toMatch(/must start with \$/);
  });
});
