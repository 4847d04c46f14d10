import { findWorkspaceRoot } from '@penumbra/config';
import { type ChaosResult } from './chaos-result';
import { runChaos } from './chaos-run';
import { type Check, type CheckName, evaluate, renderReport } from './report';

// Minutes on an idle machine; the bound leaves room for a loaded one, where every wait in the suite is generous.
jest.setTimeout(3_600_000);

/**
 * Checks that cannot pass until work on other branches lands; `npm run chaos` still reports them.
 * Every other check must pass here.
 */
const PENDING: Partial<Record<CheckName, string>> = {
  coverage:
    'the mirror skips records as overload or rate-limit while it catches up after a restart, and those make no pair; the fix of those skips and the coverage metric are on the mirror branch',
};

const CHECKS: CheckName[] = ['faults', 'fleet', 'probes', 'no-silent-drops', 'caught-up', 'decision', 'coverage', 'aggregates', 'audit'];

// Opt-in until the short run has been seen green on an idle machine in a row: `npm run chaos` runs it on demand,
// and PENUMBRA_CHAOS_E2E=1 adds it to the e2e tier. It restarts the local broker, so it never runs beside other e2e projects.
const describeChaos = process.env['PENUMBRA_CHAOS_E2E'] === '1' ? describe : describe.skip;

describeChaos('npm run chaos (short): hostile records on every consumed topic, every service SIGKILLed, the broker and Redis restarted', () => {
  let result: ChaosResult;
  let checks: Map<CheckName, Check>;

  beforeAll(async () => {
    result = await runChaos({ root: findWorkspaceRoot(__dirname), short: true, progress: (t) => process.stderr.write(`· ${t}\n`) });
    const evaluated = evaluate(result);
    checks = new Map(evaluated.map((c) => [c.name, c]));
    process.stdout.write(`${renderReport(result, evaluated, PENDING).join('\n')}\n`);
  });

  for (const name of CHECKS) {
    const pending = PENDING[name];
    (pending ? it.skip : it)(`${name}${pending ? ` (pending: ${pending})` : ''}`, () => {
      expect({ name, ok: checks.get(name)?.ok, detail: checks.get(name)?.detail }).toEqual({ name, ok: true, detail: expect.any(String) });
    });
  }
});
