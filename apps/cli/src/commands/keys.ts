import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command } from 'commander';
import { ensureAuditKeyFiles, ensureCommandKeyFiles } from '@penumbra/fleet';
import { type Output } from '../output';

export function registerKeys(program: Command, out: Output): void {
  const keys = program.command('keys').description("the sentinel's Ed25519 command signing keys");
  keys
    .command('generate')
    .description('write a new command signing key pair: command-signing-key.json (the sentinel only) and command-keys.json (every follower)')
    .requiredOption('--out <dir>', 'the folder to write them to (it must not hold a key pair yet)')
    .option('--key-id <id>', 'the key id, new for every rotation', `sentinel-${new Date().toISOString().slice(0, 10)}`)
    .action((opts: { out: string; keyId: string }) => {
      const dir = resolve(opts.out);
      if (existsSync(join(dir, 'command-signing-key.json')))
        return out.fail(`${dir} already holds a signing key`, 'choose another folder: a rotation keeps the old public key trusted until every follower has the new one');
      const files = ensureCommandKeyFiles(dir, opts.keyId);
      out.line(`signing key (SENTINEL_SIGNING_KEY_FILE, the sentinel only): ${files.signingKeyFile}`);
      out.line(`public keys (PENUMBRA_COMMAND_KEYS_FILE, followers, actuators, audit): ${files.trustedKeysFile}`);
    });

  keys
    .command('generate-audit')
    .description('write a new audit checkpoint key pair: audit-signing-key.json (the audit-sink only) and audit-keys.json (whoever runs audit verify)')
    .requiredOption('--out <dir>', 'the folder to write them to (it must not hold an audit key pair yet)')
    .option('--key-id <id>', 'the key id, new for every rotation', `audit-${new Date().toISOString().slice(0, 10)}`)
    .action((opts: { out: string; keyId: string }) => {
      const dir = resolve(opts.out);
      if (existsSync(join(dir, 'audit-signing-key.json')))
        return out.fail(`${dir} already holds an audit signing key`, 'choose another folder: a rotation keeps the old public key trusted while checkpoints it signed remain');
      const files = ensureAuditKeyFiles(dir, opts.keyId);
      out.line(`signing key (AUDIT_SIGNING_KEY_FILE, the audit-sink only): ${files.signingKeyFile}`);
      out.line(`public keys (PENUMBRA_AUDIT_KEYS_FILE or audit verify --keys): ${files.trustedKeysFile}`);
    });
}
