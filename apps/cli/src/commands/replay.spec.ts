import { Command } from 'commander';
import { type Output } from '../output';
import { registerReplay, replayProgressLine } from './replay';

describe('penumbra replay', () => {
  it('says how far it is', () => {
    expect(replayProgressLine('e', { done: 1_250, total: 5_000 }, 12.4)).toBe('replaying e: 25% (1,250 of 5,000 retained records, 12 s)');
    expect(replayProgressLine('e', { done: 0, total: 0 }, 0)).toContain('100%');
  });

  it('documents its window, pace and design in --help', () => {
    const program = new Command('penumbra');
    const quiet: Output = { line: () => undefined, json: () => undefined, table: () => undefined, fail: () => undefined, progress: () => undefined };
    registerReplay(program, quiet);
    const help = program.commands.find((c) => c.name() === 'replay')?.helpInformation() ?? '';
    for (const text of ['--from <time|duration>', '--to <time|duration>', '--speed <factor>', '--rate <n/s>', 'shadow.secondary']) expect(help).toContain(text);
  });
});
