import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregateSnapshotSchema } from '@penumbra/contracts';
import { LogHistogram } from '@penumbra/stats-core';

jest.setTimeout(60_000);

const bin = join(__dirname, '..', 'bin', 'penumbra.cjs');
const dir = mkdtempSync(join(tmpdir(), 'penumbra-policy-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const example = join(__dirname, '..', '..', '..', 'examples', 'experiments', 'checkout.yaml');

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, 'policy', ...args], (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }));
  });
}

const T0 = 1_800_000_000_000;
function snapshotLine(i: number, pairs: number, match: number): string {
  const h = new LogHistogram(0.01);
  for (let k = 0; k < pairs; k += 1) h.add(20);
  return JSON.stringify(
    aggregateSnapshotSchema.parse({
      type: 'aggregate.v1',
      id: `s${i}`,
      ts: T0 + (i + 1) * 10_000,
      experimentId: 'sim',
      sliceKey: '*',
      window: { start: T0 + i * 10_000, end: T0 + (i + 1) * 10_000, closed: true },
      counts: { pairs, match, mismatch: pairs - match, candidateErrors: 0, primaryErrors: 0, bothErrors: 0, statusMismatches: 0, timeouts: 0 },
      latency: { primary: h.toJSON(), candidate: h.toJSON() },
    }),
  );
}

const simExperiment = `id: sim
target: { service: orders }
shadow: { candidate: { baseUrl: "http://candidate:8080" } }
policy:
  stages:
    - { name: shadow, minDurationSec: 20, minSamples: 100, gates: ["matchRate >= 0.9"] }
    - { name: canary, weight: 10, minDurationSec: 20, minSamples: 100, gates: ["matchRate >= 0.9"], rollbackTriggers: ["matchRate < 0.5"] }
  watchAfterFinalSec: 0
`;

describe('penumbra policy', () => {
  it('check validates the documented example and prints its stages', async () => {
    const r = await run('check', example);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/experiment "checkout-v2" is valid/);
    expect(r.stdout).toMatch(/canary\s+live\s+5%\s+600s\s+5000/);
  });

  it('check exits 1 naming the bad field', async () => {
    const bad = file('bad.yaml', simExperiment.replace('minSamples: 100, gates: ["matchRate >= 0.9"] }', 'minSamples: -1, gates: ["nonsense >= 1"] }'));
    const r = await run('check', bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/policy\.stages\[0\]\.minSamples: Too small/);
    expect(r.stderr).toMatch(/policy\.stages\[0\]\.gates\[0\]\.metric: must be one of matchRate/);
  });

  it('simulate prints one JSON object per decision', async () => {
    const lines = [...Array.from({ length: 2 }, (_, i) => snapshotLine(i, 60, 60)), ...Array.from({ length: 4 }, (_, i) => snapshotLine(2 + i, 60, 10))];
    const r = await run('simulate', '--experiment', file('sim.yaml', simExperiment), '--aggregates', file('snaps.jsonl', `${lines.join('\n')}\n`), '--json');
    expect(r.code).toBe(0);
    const decisions = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(decisions.map((d) => [d['action'], d['fromStage'], d['toStage'], d['slice']])).toEqual([
      ['promote', 'shadow', 'canary', '*'],
      ['rollback', 'canary', 'shadow', '*'],
    ]);
    expect(decisions[1]).toMatchObject({ at: expect.any(Number), reason: expect.stringMatching(/rollback trigger "matchRate < 0.5" fired/) });
    // The evidence a reviewer checks the decision by: every gate and trigger, the samples and the bake.
    expect(decisions[1]?.['evidence']).toMatchObject({
      samples: expect.any(Number),
      minSamples: 100,
      bakeMs: 20_000,
      gates: [
        { gate: 'matchRate >= 0.9', kind: 'promotion', value: expect.any(Number), threshold: 0.9, verdict: 'fail' },
        { gate: 'matchRate < 0.5', kind: 'rollback', value: expect.any(Number), threshold: 0.5, verdict: 'fail' },
      ],
    });
  });

  it('check and simulate warn when per-slice decisions would see only the "*" rollup (issue 16, bug 3)', async () => {
    const sliced = file('sliced.yaml', `${simExperiment}slices: { attributes: [tenant], decidePerSlice: true }\n`);
    const snaps = file('rollup.jsonl', `${Array.from({ length: 4 }, (_, i) => snapshotLine(i, 60, 36)).join('\n')}\n`);
    const sim = await run('simulate', '--experiment', sliced, '--aggregates', snaps);
    expect(sim.stdout).toMatch(/warning: decisions are per slice of tenant .*only the "\*" rollup and no slice/);
    const check = await run('check', sliced, '--aggregates', snaps);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/warning: decisions are per slice of tenant/);
  });

  it.each(['check', 'simulate'])('%s exits quietly when its reader closes the pipe early (issue 16, bug 5)', async (command) => {
    const lines = Array.from({ length: 200 }, (_, i) => snapshotLine(i, 60, i % 4 === 0 ? 10 : 60));
    const args =
      command === 'check' ? ['check', example] : ['simulate', '--experiment', file('epipe.yaml', simExperiment), '--aggregates', file('epipe.jsonl', `${lines.join('\n')}\n`)];
    const child = spawn(process.execPath, [bin, 'policy', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // like `| head -0`: the reader is gone before the first line
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });

  it('simulate names a bad snapshot line', async () => {
    const r = await run('simulate', '--experiment', file('sim2.yaml', simExperiment), '--aggregates', file('bad.jsonl', `${snapshotLine(0, 1, 1)}\n{"type": "aggregate.v1"}\n`));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.jsonl line 2 is not an aggregate snapshot/);
  });
});
