import { type Command, commandId } from '@penumbra/contracts';
import { SEC, T0, policy } from './fixtures.spec-helpers';
import { stateFromCommands } from './recovery';

const p = policy({ stages: [{ name: 'shadow' }, { name: 'canary', weight: 10 }], cooldownSec: 60, watchAfterFinalSec: 120 });

function command(action: Command['action'], fromStage: string, toStage: string, stateVersion: number, ts: number): Command {
  return {
    type: 'command.v1',
    id: commandId({ experimentId: 'e', fromStage, toStage, stateVersion }),
    ts,
    experimentId: 'e',
    action,
    fromStage,
    toStage,
    stateVersion,
    targetWeight: 0,
    dryRun: false,
    reason: 'r',
    actor: { kind: 'sentinel', name: 'sentinel' },
    evidence: { policyHash: 'a'.repeat(64), samples: 0, bakedMs: 0, metrics: {}, gates: [] },
  };
}

describe('stateFromCommands', () => {
  const now = T0 + 100 * SEC;

  it('starts fresh without commands', () => {
    expect(stateFromCommands(p, [], now)).toMatchObject({ version: 0, status: 'running', stageIndex: 0 });
  });

  it('resumes at the stage the last promotion reached, with the next version', () => {
    const s = stateFromCommands(p, [command('promote', 'shadow', 'canary', 0, T0)], now);
    expect(s).toMatchObject({ version: 1, status: 'running', stageIndex: 1, stageEnteredAt: T0 });
  });

  it('knows a final promotion still being watched from one whose watch is over', () => {
    const promoted = [command('promote', 'shadow', 'canary', 0, T0), command('promote', 'canary', 'promoted', 1, T0 + 50 * SEC)];
    expect(stateFromCommands(p, promoted, now)).toMatchObject({ version: 2, status: 'watching', watchUntil: T0 + 170 * SEC });
    expect(stateFromCommands(p, promoted, T0 + 200 * SEC)).toMatchObject({ status: 'promoted' });
  });

  it('counts rollbacks for the stricter criteria and restores the cooldown', () => {
    const history = [
      command('rollback', 'shadow', 'shadow', 0, T0),
      command('resume', 'shadow', 'shadow', 1, T0 + 70 * SEC),
      command('rollback', 'shadow', 'shadow', 2, T0 + 90 * SEC),
    ];
    expect(stateFromCommands(p, history, now)).toMatchObject({ version: 3, status: 'cooldown', rollbacks: 2, cooldownUntil: T0 + 150 * SEC });
  });

  it('restores a kill, whatever order the commands arrive in', () => {
    expect(stateFromCommands(p, [command('kill', 'canary', 'killed', 4, T0 + 10 * SEC), command('promote', 'shadow', 'canary', 3, T0)], now)).toMatchObject({
      version: 5,
      status: 'killed',
    });
  });
});
