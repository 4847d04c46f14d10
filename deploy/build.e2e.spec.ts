import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { read, repoRoot, serviceNames } from './manifests';

const node = (args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  spawnSync(process.execPath, args, { cwd: options.cwd ?? repoRoot, env: { ...process.env, ...options.env }, encoding: 'utf8', timeout: 120_000 });

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
}

// What ships: `npm run build` compiles every project, and the image runs only that output.
describe('npm run build', () => {
  beforeAll(() => {
    const res = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' }, encoding: 'utf8', timeout: 300_000 });
    if (res.status !== 0) throw new Error(`npm run build failed:\n${res.stdout}\n${res.stderr}`);
  }, 300_000);

  it("writes every entrypoint the image's CMD and the provisioning job run", () => {
    const dockerfile = read('Dockerfile');
    const accepted = /case \\"\$APP\\" in ([a-z|-]+)\)/.exec(dockerfile)?.[1]?.split('|') ?? [];
    expect(accepted.sort()).toEqual(serviceNames());
    for (const app of accepted) expect({ app, built: existsSync(join(repoRoot, 'dist', 'apps', app, 'src', 'main.js')) }).toEqual({ app, built: true });
    expect(read('docker-compose.yml')).toContain("command: ['node', 'apps/cli/bin/penumbra.cjs', 'topics', 'provision']");
    expect(existsSync(join(repoRoot, 'dist', 'apps', 'cli', 'src', 'main.js'))).toBe(true);
  });

  it('leaves tests, fixtures and test-only libraries out of the output', () => {
    const files = jsFiles(join(repoRoot, 'dist')).map((f) => f.slice(repoRoot.length + 1));
    expect(files.filter((f) => /\.(spec|fixture|spec-helpers)\.js$/.test(f) || /libs\/(testing|kafka-testing)\//.test(f))).toEqual([]);
  });

  it('needs only production dependencies at run time', () => {
    const { dependencies } = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
    const required = new Set<string>();
    for (const file of jsFiles(join(repoRoot, 'dist'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/require\("([^".][^"]*)"\)/g)) {
        const name = m[1]!;
        if (!name.startsWith('node:')) required.add(name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]!);
      }
    }
    expect([...required].filter((p) => !(p in dependencies))).toEqual([]);
  });

  it('the compiled CLI answers --help, through its launcher too, and with no sources beside it (as in the image)', () => {
    const direct = node([join('dist', 'apps', 'cli', 'src', 'main.js'), '--help']);
    expect(direct.status).toBe(0);
    expect(direct.stdout).toMatch(/^Usage: penumbra/m);

    const image = mkdtempSync(join(tmpdir(), 'penumbra-image-'));
    try {
      cpSync(join(repoRoot, 'dist'), join(image, 'dist'), { recursive: true });
      cpSync(join(repoRoot, 'apps', 'cli', 'bin'), join(image, 'apps', 'cli', 'bin'), { recursive: true });
      symlinkSync(join(repoRoot, 'node_modules'), join(image, 'node_modules'));
      const launched = node([join('apps', 'cli', 'bin', 'penumbra.cjs'), 'topics', '--help'], { cwd: image });
      expect(launched.stderr).toBe('');
      expect(launched.status).toBe(0);
      expect(launched.stdout).toMatch(/^Usage: penumbra topics/m);
    } finally {
      rmSync(image, { recursive: true, force: true });
    }
  });

  it('a compiled service loads and fails fast on a bad setting, naming the variable', () => {
    const res = node([join('dist', 'apps', 'comparator', 'src', 'main.js')], { env: { KAFKA_BROKERS: 'not a broker' } });
    expect(res.status).not.toBe(0);
    expect(`${res.stdout}${res.stderr}`).toContain('KAFKA_BROKERS');
  });
});
