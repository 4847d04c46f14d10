import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidInputError } from '@penumbra/errors';

/** The Penumbra checkout a file lives in (the folder holding nx.json), for tools that run its scripts. */
export function findWorkspaceRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new InvalidInputError(`no Penumbra checkout (nx.json) above ${from}; run this from inside the repository`, 'WORKSPACE_NOT_FOUND', { from });
  }
}
