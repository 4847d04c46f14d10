/** One open server-sent event stream. */
export interface StreamClient {
  write(chunk: string): void;
  end(): void;
}

/** The open event streams, bounded; every message goes to all of them. */
export class EventHub {
  private readonly clients = new Set<StreamClient>();

  constructor(private readonly maxClients: number) {}

  get size(): number {
    return this.clients.size;
  }

  /** Adds a stream, or returns false when the bound is reached. */
  add(client: StreamClient): boolean {
    if (this.clients.size >= this.maxClients) return false;
    this.clients.add(client);
    client.write('retry: 3000\n\n');
    return true;
  }

  remove(client: StreamClient): void {
    this.clients.delete(client);
  }

  send(event: string, data: unknown): void {
    const chunk = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.clients) c.write(chunk);
  }

  /** A comment line, which keeps idle proxies from closing the streams. */
  ping(): void {
    for (const c of this.clients) c.write(': ping\n\n');
  }

  closeAll(): void {
    for (const c of [...this.clients]) c.end();
    this.clients.clear();
  }
}

/** Which experiments changed between two rounds of fingerprints (added, changed or gone). */
export function changedIds(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const ids = new Set<string>();
  for (const [id, f] of after) if (before.get(id) !== f) ids.add(id);
  for (const id of before.keys()) if (!after.has(id)) ids.add(id);
  return [...ids].sort();
}
