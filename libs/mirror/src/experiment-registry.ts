import { type ExperimentRecord, type ExperimentSpec } from '@penumbra/contracts';
import { type CompiledExperiment, InFlightLimit, TokenBucket, compileExperiment } from '@penumbra/mirror-core';

export interface ActiveExperiment extends CompiledExperiment {
  origin: { candidate: string; secondary?: string };
  basePath: { candidate: string; secondary?: string };
  bucket: TokenBucket;
  inFlight: InFlightLimit;
}

function split(baseUrl: string): { origin: string; basePath: string } {
  const url = new URL(baseUrl);
  return { origin: url.origin, basePath: url.pathname };
}

/**
 * The experiments the mirror serves, compiled once per change. Admission state (rate bucket,
 * in-flight count) survives a change that leaves the caps alone.
 */
export class ExperimentRegistry {
  private readonly active = new Map<string, ActiveExperiment>();

  constructor(private readonly clock: () => number = Date.now) {}

  list(): ActiveExperiment[] {
    return [...this.active.values()];
  }

  get(id: string): ActiveExperiment | undefined {
    return this.active.get(id);
  }

  upsert(record: ExperimentRecord): void {
    if (record.halted !== undefined) {
      this.active.delete(record.experimentId);
      return;
    }
    this.active.set(record.experimentId, this.compile(record.spec, this.active.get(record.experimentId)));
  }

  remove(id: string): void {
    this.active.delete(id);
  }

  private compile(spec: ExperimentSpec, previous: ActiveExperiment | undefined): ActiveExperiment {
    const candidate = split(spec.shadow.candidate.baseUrl);
    const secondary = spec.shadow.secondary ? split(spec.shadow.secondary.baseUrl) : undefined;
    const sameCaps = previous && previous.spec.shadow.rateLimitPerSec === spec.shadow.rateLimitPerSec && previous.spec.shadow.maxInFlight === spec.shadow.maxInFlight;
    const rate = spec.shadow.rateLimitPerSec;
    return {
      ...compileExperiment(spec),
      origin: { candidate: candidate.origin, ...(secondary ? { secondary: secondary.origin } : {}) },
      basePath: { candidate: candidate.basePath, ...(secondary ? { secondary: secondary.basePath } : {}) },
      bucket: sameCaps ? previous.bucket : new TokenBucket(rate, Math.max(1, Math.ceil(rate)), this.clock()),
      inFlight: sameCaps ? previous.inFlight : new InFlightLimit(spec.shadow.maxInFlight),
    };
  }
}
