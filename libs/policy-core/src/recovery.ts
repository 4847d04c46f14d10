import { type Command, type Policy } from '@penumbra/contracts';
import { PROMOTED, STOPPED } from './engine';
import { type SliceState, initialSliceState } from './state';

/**
 * A slice's state rebuilt from the commands it was given (Redis is a read model: the commands
 * topic is the record of every transition). The last command sets the stage, status and version;
 * the rollbacks are counted. What no command carries (approvals, the bake in progress) starts over;
 * the early looks of the rate tests are forfeited (see first-looks.ts).
 */
export function stateFromCommands(policy: Policy, commands: readonly Command[], now: number): SliceState {
  // Dry-run commands count: the state machine moves on them too, only actuators ignore them.
  const last = [...commands].sort((a, b) => a.stateVersion - b.stateVersion || a.ts - b.ts).at(-1);
  const fresh = initialSliceState(now);
  if (last === undefined) return fresh;
  const rollbacks = commands.filter((c) => c.action === 'rollback').length;
  // The stage's evidence still counts from the last command, and its early looks may have been
  // taken already: they count as spent, so that no look spends its alpha twice.
  const base: SliceState = { ...fresh, version: last.stateVersion + 1, rollbacks, stageEnteredAt: last.ts, passingSince: now, lastProgressAt: now, firstLooksLost: true };
  const stageIndex = Math.max(
    0,
    policy.stages.findIndex((s) => s.name === last.toStage),
  );
  switch (last.action) {
    case 'kill':
      return { ...base, status: 'killed' };
    case 'rollback':
      if (last.toStage === STOPPED) return { ...base, status: 'stopped' };
      return { ...base, status: 'cooldown', stageIndex: 0, cooldownUntil: last.ts + policy.cooldownSec * 1000 };
    case 'pause':
      return { ...base, status: 'paused', pausedFrom: 'running', stageIndex };
    case 'promote': {
      if (last.toStage !== PROMOTED) return { ...base, status: 'running', stageIndex };
      const watchUntil = last.ts + policy.watchAfterFinalSec * 1000;
      return { ...base, stageIndex: policy.stages.length - 1, ...(watchUntil > now ? { status: 'watching', watchUntil } : { status: 'promoted' }) };
    }
    case 'resume':
      return { ...base, status: 'running', stageIndex };
  }
}
