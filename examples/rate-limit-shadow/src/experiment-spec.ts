import { type ExperimentSpecInput } from '@penumbra/contracts';

/**
 * The experiment the sentinel runs on the pairs this service publishes. target and
 * shadow.candidate are required by the schema but unused: nothing is mirrored over HTTP. Short
 * stages so that a local run decides within a minute; a real one bakes for much longer.
 */
export function experimentSpec(id: string): ExperimentSpecInput {
  return {
    id,
    description: 'A sliding-window rate limit with a burst cap, evaluated in process against the fixed window in production',
    target: { service: 'rate-limit-shadow' },
    shadow: { candidate: { baseUrl: 'http://in-process.invalid' } },
    compare: { ignore: ['$.retryAfterMs'] },
    slices: { attributes: ['tenant'] },
    policy: {
      stages: [
        { name: 'shadow', mode: 'live', weight: 0, minDurationSec: 10, minSamples: 200, gates: ['matchRate >= 0.95'], rollbackTriggers: ['matchRate < 0.8'] },
        { name: 'everyone', mode: 'live', weight: 100, minDurationSec: 10, minSamples: 200, gates: ['matchRate >= 0.95'], rollbackTriggers: ['matchRate < 0.8'] },
      ],
      watchAfterFinalSec: 0,
      cooldownSec: 60,
    },
  };
}
