import { type Ack, type Command } from '@penumbra/contracts';
import { PROMOTED, STOPPED } from '@penumbra/policy-core';
import { type Adaptive } from './adaptive';
import { type Experiment } from './experiment';

export interface ApplyResult {
  result: Ack['result'];
  reason?: string;
}

/** What a follower drives: an Adaptive in this process, a webhook, a team's own controller. */
export interface CommandTarget {
  apply(command: Command): Promise<ApplyResult>;
}

/**
 * Applies the sentinel's commands to an Adaptive (and the experiment that shadows it):
 * - promote to `promoted` (the final promotion) swaps the shadow into primary; a promotion to an
 *   intermediate stage only records the stage and weight, since one process serves one value;
 * - rollback restores the primary a promotion replaced (or keeps the primary when nothing was
 *   promoted); a rollback to `stopped` (stop-mirroring) also disables the shadow;
 * - kill restores the primary, disables the shadow and switches the experiment off;
 * - pause and resume change nothing in process: recorded and skipped.
 */
export function adaptiveTarget<T>(adaptive: Adaptive<T>, experiment?: Experiment): CommandTarget {
  return {
    apply(command) {
      return Promise.resolve(applyTo(adaptive, experiment, command));
    },
  };
}

function applyTo<T>(adaptive: Adaptive<T>, experiment: Experiment | undefined, c: Command): ApplyResult {
  switch (c.action) {
    case 'promote': {
      if (c.toStage !== PROMOTED) {
        adaptive.recordStage(c.toStage, c.targetWeight);
        return { result: 'applied', reason: `stage "${c.toStage}" at ${c.targetWeight}% recorded; the shadow becomes primary at the final promotion` };
      }
      const before = adaptive.read();
      if (adaptive.promoteShadow()) {
        adaptive.recordStage(c.toStage, c.targetWeight);
        return { result: 'applied', reason: 'the shadow is now the primary; the former primary is kept for a rollback' };
      }
      if (before.snapshot !== undefined) return { result: 'skipped', reason: 'already promoted' };
      return { result: 'failed', reason: before.shadowEnabled ? 'no shadow to promote' : 'the shadow is disabled (killed)' };
    }
    case 'rollback': {
      const restored = c.toStage === STOPPED ? stop(adaptive, experiment, `rolled back to ${STOPPED} by ${c.id}`) : adaptive.rollback();
      adaptive.recordStage(c.toStage, 0);
      return {
        result: 'applied',
        reason: restored ? 'the former primary is restored' : `nothing was promoted; the primary is kept${c.toStage === STOPPED ? ' and the shadow disabled' : ''}`,
      };
    }
    case 'kill': {
      const restored = stop(adaptive, experiment, `killed by ${c.id}`);
      adaptive.recordStage(c.toStage, 0);
      return { result: 'applied', reason: `${restored ? 'the former primary is restored' : 'the primary is kept'}, the shadow disabled and the experiment switched off` };
    }
    case 'pause':
    case 'resume':
      adaptive.recordStage(c.toStage, c.targetWeight);
      return { result: 'skipped', reason: `${c.action} changes nothing in process; stage recorded` };
  }
}

/** Restores, disables the shadow and the experiment; true when a promotion was undone. */
function stop<T>(adaptive: Adaptive<T>, experiment: Experiment | undefined, why: string): boolean {
  const promoted = adaptive.read().snapshot !== undefined;
  adaptive.disableShadow();
  experiment?.disable(why);
  return promoted;
}
