import { type ExperimentRecord, type ExperimentSpec } from '@penumbra/contracts';
import { type CompiledExperiment, type DestinationPolicy, InFlightLimit, TokenBucket, checkDestination, compileExperiment, parseDestinationPolicy } from '@penumbra/mirror-core';

export interface ActiveExperiment extends CompiledExperiment {
  origin: { candidate: string; secondary?: string };
  basePath: { candidate: string; secondary?: string };
  bucket: TokenBucket;
  inFlight: InFlightLimit;
}

export interface ExperimentRegistryOptions {
  /** Where replays may go (MIRROR_ALLOWED_TARGETS); by default anywhere but loopback, link-local and metadata addresses. */
  destinations?: DestinationPolicy;
  onRefused?: (experimentId: string, reason: string) => void;
  clock?: () => number;
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
  private readonly refusedIds = new Map<string, string>();
  private readonly destinations: DestinationPolicy;
  private readonly clock: () => number;

  constructor(private readonly options: ExperimentRegistryOptions = {}) {
    this.destinations = options.destinations ?? parseDestinationPolicy([]);
    this.clock = options.clock ?? Date.now;
  }

  /** Experiments not mirrored because a destination is not allowed, with the reason. */
  refused(): Map<string, string> {
    return new Map(this.refusedIds);
  }

  list(): ActiveExperiment[] {
    return [...this.active.values()];
  }

  get(id: string): ActiveExperiment | undefined {
    return this.active.get(id);
  }

  upsert(record: ExperimentRecord): void {
    this.refusedIds.delete(record.experimentId);
    if (record.halted !== undefined) {
      this.active.delete(record.experimentId);
      return;
    }
    const { candidate, secondary } = record.spec.shadow;
    for (const [role, target] of [
      ['candidate', candidate],
      ['secondary', secondary],
    ] as const) {
      if (target === undefined) continue;
      const check = checkDestination(target.baseUrl, this.destinations);
      if (!check.ok) {
        // Nothing of the experiment is replayed: not even to a destination that would be allowed.
        this.active.delete(record.experimentId);
        const reason = `${role} ${check.reason}`;
        this.refusedIds.set(record.experimentId, reason);
        this.options.onRefused?.(record.experimentId, reason);
        return;
      }
    }
    this.active.set(record.experimentId, this.compile(record.spec, this.active.get(record.experimentId)));
  }

  remove(id: string): void {
    this.active.delete(id);
    this.refusedIds.delete(id);
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
