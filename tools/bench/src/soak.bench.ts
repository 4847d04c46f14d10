// The whole fleet at a fixed rate for ten minutes (`--minutes=N` or BENCH_SOAK_MINUTES), sampling
// each service's resident memory and event-loop lag from its /metrics. It reports, per service, the
// growth after warm-up: the median of the first minute after it against the median of the last.
import { FLEET_SERVICES } from '@penumbra/fleet';
import { measuringExperiment, startBenchFleet } from './pipeline-fleet';
import { report } from './report';
import { type Growth, type ProcessSample, growthAfterWarmUp, sampleFromMetrics } from './soak-growth';

/** `--minutes=N` on the command line, else BENCH_SOAK_MINUTES, else ten. */
function minutesArg(): number {
  const flag = process.argv.find((a) => a.startsWith('--minutes='));
  return Number(flag?.slice('--minutes='.length) ?? process.env['BENCH_SOAK_MINUTES'] ?? '10');
}

const MINUTES = minutesArg();
const RATE = Number(process.env['BENCH_SOAK_RATE'] ?? '500');
const SAMPLE_MS = Number(process.env['BENCH_SOAK_SAMPLE_MS'] ?? '5000');
// One minute of warm-up and of comparison span on the full run; a quarter of a short run each.
const WARM_UP_MS = Math.min(60_000, (MINUTES * 60_000) / 4);
const SPAN_MS = Math.min(60_000, (MINUTES * 60_000) / 4);
const AIM = 0.05;

async function main(): Promise<void> {
  const fleet = await startBenchFleet('bench-soak');
  const { kafka, runTag, progress, trafficMessages, pairsOf } = fleet;
  try {
    const spec = measuringExperiment(`soak-${runTag}`, 'bench-soak', fleet.targets.candidate, fleet.targets.secondary);
    await fleet.startMeasuring([{ spec, service: 'bench-soak' }]);
    progress(`soak: ${RATE} exchanges/s for ${MINUTES} min, sampling every ${SAMPLE_MS / 1000} s`);
    const samples = new Map<string, ProcessSample[]>(FLEET_SERVICES.map((s) => [s, []]));
    const started = performance.now();
    const durationMs = MINUTES * 60_000;
    let sent = 0;
    let nextSample = 0;
    while (performance.now() - started < durationMs) {
      const elapsed = performance.now() - started;
      if (elapsed >= nextSample) {
        nextSample += SAMPLE_MS;
        await Promise.all(
          FLEET_SERVICES.map(async (service) => {
            const text = await (await fetch(`http://127.0.0.1:${fleet.demo.ports[service]}/metrics`)).text();
            samples.get(service)!.push(sampleFromMetrics(text, elapsed));
          }),
        );
      }
      const due = Math.floor((elapsed / 1000) * RATE);
      if (due > sent) {
        const count = Math.min(500, due - sent);
        await kafka.send(trafficMessages('bench-soak', sent, count, Date.now()));
        sent += count;
      } else await new Promise((r) => setTimeout(r, 10));
    }
    const counted = (await pairsOf(spec.id)) - 1;
    const growth = Object.fromEntries(FLEET_SERVICES.map((s) => [s, growthAfterWarmUp(samples.get(s)!, WARM_UP_MS, SPAN_MS)])) as Record<string, Growth>;
    const worst = Math.max(...Object.values(growth).map((g) => g.rssGrowth));
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;
    const pct = (f: number) => `${(f * 100).toFixed(1)}%`;
    report(
      {
        bench: 'soak',
        unit: 'RSS growth after warm-up (worst service)',
        ours: Math.round(worst * 10000) / 10000,
        peers: { aim: AIM },
        ratio: Math.round((worst / AIM) * 1000) / 1000,
        minutes: MINUTES,
        ratePerSec: RATE,
        sent,
        counted,
        services: Object.fromEntries(
          Object.entries(growth).map(([s, g]) => [
            s,
            {
              rssStartMb: Math.round(g.rssStartBytes / 1024 / 102.4) / 10,
              rssEndMb: Math.round(g.rssEndBytes / 1024 / 102.4) / 10,
              rssGrowth: Math.round(g.rssGrowth * 10000) / 10000,
              lagP99StartMs: Math.round(g.lagP99StartMs * 10) / 10,
              lagP99EndMs: Math.round(g.lagP99EndMs * 10) / 10,
              samples: g.samples,
            },
          ]),
        ),
      },
      [
        ['run', `${MINUTES} min at ${RATE} exchanges/s: ${sent} sent, ${counted} counted in Redis when sending stopped`],
        ['warm-up, span', `${WARM_UP_MS / 1000} s dropped; medians of the first and last ${SPAN_MS / 1000} s compared`],
        ...Object.entries(growth).map(([s, g]): [string, string] => [
          s,
          `RSS ${mb(g.rssStartBytes)} → ${mb(g.rssEndBytes)} (${pct(g.rssGrowth)}${g.rssGrowth > AIM ? ', above the 5% aim' : ''}); event-loop lag p99 ${g.lagP99StartMs.toFixed(1)} → ${g.lagP99EndMs.toFixed(1)} ms`,
        ]),
      ],
    );
  } finally {
    await fleet.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
