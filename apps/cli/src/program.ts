import { Command } from 'commander';
import { registerAggregates } from './commands/aggregates';
import { registerAudit } from './commands/audit';
import { registerCompare } from './commands/compare';
import { registerConsole } from './commands/console';
import { registerControl } from './commands/control';
import { registerDemo } from './commands/demo';
import { registerExperiment } from './commands/experiment';
import { registerFleet } from './commands/fleet';
import { registerInspect } from './commands/inspect';
import { registerKeys } from './commands/keys';
import { registerPolicy } from './commands/policy';
import { registerReplay } from './commands/replay';
import { registerCorpus } from './commands/corpus';
import { registerStack } from './commands/stack';
import { registerTopics } from './commands/topics';
import { registerUp } from './commands/up';
import { type Output } from './output';

export function buildProgram(out: Output): Command {
  const program = new Command('penumbra')
    .description('Validate a new service version on real production traffic, then promote it or roll it back on evidence.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true);
  registerUp(program, out);
  registerDemo(program, out);
  registerStack(program, out);
  registerTopics(program, out);
  registerFleet(program, out);
  registerExperiment(program, out);
  registerInspect(program, out);
  registerControl(program, out);
  registerCompare(program, out);
  registerAggregates(program, out);
  registerReplay(program, out);
  registerCorpus(program, out);
  registerPolicy(program, out);
  registerAudit(program, out);
  registerKeys(program, out);
  registerConsole(program, out);
  return program;
}
