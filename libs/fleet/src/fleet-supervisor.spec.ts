import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FleetSupervisor, type FleetService } from './fleet-supervisor';

jest.setTimeout(30_000);

const dir = mkdtempSync(join(tmpdir(), 'penumbra-fleet-'));
const script = (name: string, body: string) => {
  const path = join(dir, `${name}.js`);
  writeFileSync(path, body);
  return path;
};
const ports = { 'traffic-mirror': 1, comparator: 2, aggregator: 3, sentinel: 4, 'audit-sink': 5, console: 6 } as const;

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return () => text;
}

describe('FleetSupervisor', () => {
  it('prefixes each service log line with its name and stops every service on stop()', async () => {
    const log = new PassThrough();
    const text = collect(log);
    const steady = script(
      'steady',
      "console.log('up on ' + process.env.HTTP_PORT); process.on('SIGTERM', () => { console.log('bye'); process.exit(0); }); setInterval(() => {}, 1000);",
    );
    const fleet = new FleetSupervisor({ root: dir, env: {}, ports, log, services: ['comparator', 'sentinel'], argv: () => [steady] });
    fleet.start();
    await waitUntil(() => text().includes('[sentinel      ] up on 4') && text().includes('[comparator    ] up on 2'));
    await fleet.stop();
    expect(text()).toMatch(/\[comparator {4}\] bye/);
    expect(text()).toMatch(/\[sentinel {6}\] bye/);
  });

  it('restarts a crashing service a bounded number of times, then gives up and says so', async () => {
    const log = new PassThrough();
    const text = collect(log);
    const crash = script('crash', "console.log('starting'); process.exit(3);");
    const gaveUp: FleetService[] = [];
    const fleet = new FleetSupervisor({
      root: dir,
      env: {},
      ports,
      log,
      services: ['aggregator'],
      argv: () => [crash],
      maxRestarts: 2,
      onGiveUp: (s) => gaveUp.push(s),
      random: () => 1,
    });
    fleet.start();
    await waitUntil(() => gaveUp.length === 1);
    expect(text().match(/\[aggregator {4}\] starting/g)).toHaveLength(3);
    expect(text()).toMatch(/exited with 3; restarting in 500 ms/);
    expect(text()).toMatch(/exited with 3; restarting in 1000 ms/);
    expect(text()).toMatch(/exited with 3; gave up after 2 restarts in a row/);
    await fleet.stop();
  });
});

describe('FleetSupervisor after a healthy run', () => {
  it('starts the restart count over, so a service that crashes now and then is never given up on', async () => {
    const log = new PassThrough();
    const text = collect(log);
    const crash = script('crash-later', "console.log('starting'); process.exit(4);");
    const gaveUp: FleetService[] = [];
    let now = 0;
    // Every run looks like it lasted two minutes: each exit follows a healthy run.
    const clock = () => (now += 120_000);
    const fleet = new FleetSupervisor({
      root: dir,
      env: {},
      ports,
      log,
      services: ['sentinel'],
      argv: () => [crash],
      maxRestarts: 2,
      onGiveUp: (s) => gaveUp.push(s),
      clock,
      random: () => 0,
    });
    fleet.start();
    await waitUntil(() => (text().match(/\[sentinel {6}\] starting/g) ?? []).length >= 5);
    await fleet.stop();
    expect(gaveUp).toEqual([]);
    expect(text()).not.toMatch(/gave up/);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
