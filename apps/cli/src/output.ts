import { type CredentialPolicy, credentialPolicy } from '@penumbra/credentials';
export interface Output {
  line(text: string): void;
  json(value: unknown): void;
  table(header: string[], rows: string[][]): void;
  fail(message: string, hint?: string): void;
  /** Progress of long work, on stderr so that stdout stays parseable. */
  progress(text: string): void;
}

export function renderTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}

/**
 * Terminals, scrollback and CI logs keep what they are shown, so every output passes the credential
 * policy: an experiment's added headers, URL userinfo, query secrets and bearer tokens print as hashes.
 */
export function consoleOutput(
  stdout: { write(s: string): unknown } = process.stdout,
  stderr: { write(s: string): unknown } = process.stderr,
  credentials: CredentialPolicy = credentialPolicy(),
): Output {
  const t = (s: string) => credentials.text(s);
  return {
    line: (text) => void stdout.write(`${t(text)}\n`),
    json: (value) => void stdout.write(`${JSON.stringify(credentials.json(value), null, 2)}\n`),
    table: (header, rows) =>
      void stdout.write(
        `${renderTable(
          header,
          rows.map((r) => r.map(t)),
        )}\n`,
      ),
    progress: (text) => void stderr.write(`${t(text)}\n`),
    fail: (message, hint) => {
      stderr.write(`error: ${t(message)}\n${hint ? `hint: ${t(hint)}\n` : ''}`);
      process.exitCode = 1;
    },
  };
}

/**
 * A reader that stops early (`penumbra policy simulate | head -1`) closes the pipe: the next write
 * fails with EPIPE, which is no error of ours. Exit quietly then, as Unix tools do; any other
 * stream error is still thrown.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.EventEmitter, exit: (code: number) => void = (code) => process.exit(code)): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return exit(0);
    throw err;
  });
}
