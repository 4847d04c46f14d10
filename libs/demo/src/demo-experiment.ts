import { type ExperimentSpec, experimentSpecSchema } from '@penumbra/contracts';

/**
 * The demo's experiment: every GET of the shop mirrored to the candidate and to a secondary copy
 * of production (whose differences from production are noise), and a short two-stage policy whose
 * rates are judged by confidence sequences (the live stages roll back on the match rate, so the
 * console shows the gate that failed; the per-path verdicts are shown beside it). With `replayFirst`, the first stage decides on traffic
 * replayed from the traffic topic's retention instead of on live traffic; with `corpusFirst`, a
 * stage before all others decides on the regression corpus replayed to the candidate.
 */
/** The service the demo's shop API is captured as. */
export const DEMO_SERVICE = 'shop';

export function demoExperiment(id: string, candidateUrl: string, secondaryUrl: string, options: { replayFirst?: boolean; corpusFirst?: boolean } = {}): ExperimentSpec {
  const gates = [{ metric: 'matchRate', op: '>=', threshold: 0.95, confidence: 0.95 }, 'statusMatchRate >= 0.99', 'latencyP90Ratio <= 1.15'];
  const triggers = [{ metric: 'matchRate', op: '<', threshold: 0.9, confidence: 0.95 }, 'latencyP90Ratio > 1.2'];
  return experimentSpecSchema.parse({
    id,
    description: 'Demo: a new build of the shop API, validated on mirrored production traffic',
    owner: 'demo',
    target: { service: DEMO_SERVICE, methods: ['GET'] },
    shadow: {
      candidate: { baseUrl: candidateUrl },
      secondary: { baseUrl: secondaryUrl },
      sampleRate: 1,
      rateLimitPerSec: 1000,
      maxInFlight: 64,
      timeoutMs: 2000,
    },
    compare: { routes: ['/products/:id', '/orders/:id', '/users/:id', '/search'], redact: ['$.data.addresses'] },
    slices: { attributes: ['tenant'] },
    policy: {
      stages: [
        // The corpus holds a few known-bad requests per path: judged like regression tests, on
        // their point estimates, as soon as a few have come back.
        ...(options.corpusFirst
          ? [
              {
                name: 'corpus',
                kind: 'corpus',
                weight: 0,
                minDurationSec: 0,
                // A saved regression that fails again is the evidence: a quick first rollback may have saved only one.
                minSamples: 1,
                gates: ['matchRate >= 0.99'],
                rollbackTriggers: ['mismatchRate > 0.2', 'pathRegressions >= 1'],
              },
            ]
          : []),
        options.replayFirst
          ? { name: 'retained', kind: 'replay', weight: 0, minDurationSec: 5, minSamples: 300, gates, rollbackTriggers: triggers }
          : { name: 'shadow', mode: 'live', weight: 0, minDurationSec: 5, minSamples: 300, gates, rollbackTriggers: triggers },
        { name: 'canary', mode: 'live', weight: 25, minDurationSec: 5, minSamples: 300, gates, rollbackTriggers: triggers },
      ],
      cooldownSec: 600,
      watchAfterFinalSec: 0,
    },
  });
}
