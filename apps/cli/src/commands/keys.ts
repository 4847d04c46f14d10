import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command } from 'commander';
import { operatorKeysFileSchema } from '@penumbra/contracts';
import { ensureAuditKeyFiles, ensureCommandKeyFiles, ensureOperatorKeyFiles } from '@penumbra/fleet';
import { type Output } from '../output';

export function registerKeys(program: Command, out: Output): void {
  const keys = program.command('keys').description("Ed25519 signing keys: the sentinel's command keys, the audit-sink's checkpoint keys, operator keys");
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

  keys
    .command('generate-operator')
    .description("write an operator's key pair: operator-key.json (the operator only, PENUMBRA_OPERATOR_KEY_FILE) and operator-keys.json (every service)")
    .requiredOption('--out <dir>', 'the folder to write them to (it must not hold an operator key yet)')
    .requiredOption('--operator <name>', 'who signs with it, as audits and alerts will name them')
    .option('--roles <roles>', 'comma-separated roles, such as operator,approver (admin holds forward-credentials and unsafe-methods by default)', 'operator')
    .option('--key-id <id>', 'the key id, new for every rotation')
    .option('--add-to <file>', 'an existing operator-keys.json to add the new public key to, so several keys are trusted at once (a rotation, another operator)')
    .action((opts: { out: string; operator: string; roles: string; keyId?: string; addTo?: string }) => {
      const dir = resolve(opts.out);
      if (existsSync(join(dir, 'operator-key.json'))) return out.fail(`${dir} already holds an operator key`, 'choose another folder: each operator keeps their own');
      const roles = opts.roles
        .split(',')
        .map((r) => r.trim())
        .filter((r) => r.length > 0);
      if (roles.length === 0) return out.fail('--roles names no role', 'give at least one, such as --roles operator');
      const files = ensureOperatorKeyFiles(dir, opts.operator, roles, opts.keyId ?? `${opts.operator}-${new Date().toISOString().slice(0, 10)}`);
      out.line(`signing key (PENUMBRA_OPERATOR_KEY_FILE, ${opts.operator} only): ${files.signingKeyFile}`);
      if (opts.addTo === undefined) return out.line(`public keys (PENUMBRA_OPERATOR_KEYS_FILE, every service): ${files.keysFile}`);
      const target = resolve(opts.addTo);
      const existing = operatorKeysFileSchema.safeParse(JSON.parse(readFileSync(target, 'utf8')));
      if (!existing.success) return out.fail(`${target} is not an operator keys file`, 'give the operator-keys.json every service reads');
      const added = operatorKeysFileSchema.parse(JSON.parse(readFileSync(files.keysFile, 'utf8'))).keys;
      if (existing.data.keys.some((k) => added.some((a) => a.keyId === k.keyId))) return out.fail(`${target} already lists key id ${added[0]?.keyId}`, 'choose another --key-id');
      writeFileSync(target, JSON.stringify({ ...existing.data, keys: [...existing.data.keys, ...added] }, null, 2) + '\n');
      out.line(`public key added to ${target}: distribute it to every service, then remove the old key once nothing signs with it`);
    });
}
