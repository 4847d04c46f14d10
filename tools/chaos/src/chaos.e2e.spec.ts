import { findWorkspaceRoot } from '@penumbra/config';
import { type ChaosResult } from './chaos-result';
import { runChaos } from './chaos-run';
import { type Check, type CheckName, evaluate, renderReport } from './report';

// Minutes on an idle machine; the bound leaves room for a loaded one, where every wait in the suite is generous.
jest.setTimeout(3_600_000);

const CHECKS: CheckName[] = ['faults', 'fleet', 'probes', 'no-silent-drops', 'caught-up', 'decision', 'coverage', 'aggregates', 'audit'];

// It restarts the local broker, so it never runs beside other e2e projects (the e2e tier runs one project at a time).
describe('npm run chaos (short): hostile records on every consumed topic, every service SIGKILLed, the broker and Redis restarted', () => {
  let result: ChaosResult;
  let checks: Map<CheckName, Check>;

  beforeAll(async () => {
    result = await runChaos({ root: findWorkspaceRoot(__dirname), short: true, progress: (t) => process.stderr.write(`· ${t}\n`) });
    const evaluated = evaluate(result);
    checks = new Map(evaluated.map((c) => [c.name, c]));
    process.stdout.write(`${renderReport(result, evaluated).join('\n')}\n`);
  });

  for (const name of CHECKS) {
    it(name, () => {
      expect({ name, ok: checks.get(name)?.ok, detail: checks.get(name)?.detail }).toEqual({ name, ok: true, detail: expect.any(String) });
    });
  }
});
