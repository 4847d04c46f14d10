import { type Command } from 'commander';
import { type CorpusEntry, corpusKey } from '@penumbra/contracts';
import { pruneCorpus, readCorpus, replayCorpus } from '@penumbra/corpus';
import { PenumbraError } from '@penumbra/errors';
import { parseDestinationPolicy } from '@penumbra/mirror-core';
import { credentialPolicyOf } from '@penumbra/service-kit';
import { withContext } from '../cli-context';
import { type Output } from '../output';
import { parseDuration } from './aggregates';

const iso = (ms: number) => new Date(ms).toISOString();

interface PruneOptions {
  endpoint?: string;
  path?: string;
  olderThan?: string;
  json?: boolean;
}

/** The entries a prune removes: the service's, narrowed by endpoint, path and age. */
export function prunable(entries: Iterable<CorpusEntry>, service: string, o: { endpoint?: string; path?: string; before?: number }): CorpusEntry[] {
  return [...entries].filter(
    (e) =>
      e.service === service &&
      (o.endpoint === undefined || e.endpoint === o.endpoint) &&
      (o.path === undefined || e.path === o.path) &&
      (o.before === undefined || e.savedAt < o.before),
  );
}

export function registerCorpus(program: Command, out: Output): void {
  const corpus = program
    .command('corpus')
    .description(
      'the regression corpus: requests whose pairs showed a regression (saved by the traffic-mirror when a path is judged a regression or an experiment is rolled back), ' +
        'one record per service, endpoint and path, replayed to every new candidate by a policy stage of kind "corpus"',
    );

  corpus
    .command('list')
    .description('every saved path, newest first')
    .option('--service <service>', 'only this service')
    .option('--json', 'print JSON')
    .action((opts: { service?: string; json?: boolean }) =>
      withContext(async (ctx) => {
        const entries = [...(await readCorpus(ctx.log(), ctx.topics.corpus)).values()]
          .filter((e) => opts.service === undefined || e.service === opts.service)
          .sort((a, b) => b.savedAt - a.savedAt);
        if (opts.json) return out.json(entries.map(({ requests, ...e }) => ({ ...e, requests: requests.length })));
        if (entries.length === 0) return out.line(opts.service ? `the corpus holds nothing for ${opts.service}` : 'the corpus is empty');
        out.table(
          ['service', 'endpoint', 'path', 'requests', 'why', 'experiment', 'saved'],
          entries.map((e) => [e.service, e.endpoint, e.path, String(e.requests.length), e.reason, e.experimentId, iso(e.savedAt)]),
        );
      }),
    );

  corpus
    .command('show <service> <endpoint> <path>')
    .description('the requests saved for one path (credential headers dropped, secrets hashed)')
    .option('--json', 'print JSON')
    .action((service: string, endpoint: string, path: string, opts: { json?: boolean }) =>
      withContext(async (ctx) => {
        const entry = (await readCorpus(ctx.log(), ctx.topics.corpus)).get(corpusKey(service, endpoint, path));
        if (!entry) return out.fail(`corpus: nothing saved for ${service} ${endpoint} ${path}`, 'list what is saved with `penumbra corpus list`');
        if (opts.json) return out.json(entry);
        out.line(`${entry.service} ${entry.endpoint} ${entry.path}: saved ${iso(entry.savedAt)} on ${entry.reason} of ${entry.experimentId}`);
        out.table(
          ['captured', 'traffic id', 'request'],
          entry.requests.map((r) => [iso(r.capturedAt), r.trafficId, `${r.request.method} ${r.request.path}${r.request.query ? `?${r.request.query}` : ''}`]),
        );
      }),
    );

  corpus
    .command('prune <service>')
    .description("forget a service's saved paths (tombstones on the compacted corpus topic), narrowed by endpoint, path or age")
    .option('--endpoint <endpoint>', 'only this endpoint, e.g. "GET /orders/:id"')
    .option('--path <path>', 'only this path, e.g. "$.data.total"')
    .option('--older-than <duration>', 'only paths saved longer ago than this, e.g. 30d')
    .option('--json', 'print JSON')
    .action((service: string, opts: PruneOptions) =>
      withContext(async (ctx) => {
        const age = opts.olderThan === undefined ? undefined : parseDuration(opts.olderThan);
        if (opts.olderThan !== undefined && age === undefined) return out.fail(`--older-than "${opts.olderThan}" is not a duration`, 'use a number and a unit, such as 12h or 30d');
        const entries = prunable((await readCorpus(ctx.log(), ctx.topics.corpus)).values(), service, {
          ...(opts.endpoint === undefined ? {} : { endpoint: opts.endpoint }),
          ...(opts.path === undefined ? {} : { path: opts.path }),
          ...(age === undefined ? {} : { before: Date.now() - age }),
        });
        const producer = await ctx.kafka().producer();
        try {
          await pruneCorpus(
            producer,
            ctx.topics.corpus,
            entries.map((e) => corpusKey(e.service, e.endpoint, e.path)),
          );
        } finally {
          await producer.disconnect();
        }
        if (opts.json) return out.json({ service, pruned: entries.map((e) => ({ endpoint: e.endpoint, path: e.path })) });
        out.line(entries.length === 0 ? `nothing to prune for ${service}` : `pruned ${entries.length} path(s) of ${service}`);
      }),
    );

  corpus
    .command('replay <experiment>')
    .description(
      "replay the corpus of the experiment's service to its candidate, as a replay: the live secondary answers in the capture's place (the experiment needs shadow.secondary), " +
        'and the pairs count only in the "~corpus" rollup, which a stage of kind "corpus" judges',
    )
    .option('--json', 'print the result as JSON')
    .action((experiment: string, opts: { json?: boolean }) =>
      withContext(async (ctx) => {
        try {
          const record = (await ctx.experiments()).get(experiment);
          if (!record) return out.fail(`experiment: no experiment "${experiment}"`, 'run `penumbra experiment list` to see them');
          const result = await replayCorpus({
            client: ctx.kafka(),
            kafka: ctx.log(),
            record,
            topics: { corpus: ctx.topics.corpus, pairs: ctx.topics.pairs },
            destinations: parseDestinationPolicy((ctx.env.MIRROR_ALLOWED_TARGETS ?? '').split(',')),
            credentials: credentialPolicyOf(ctx.env),
            onProgress: (done, total) => out.progress(`replaying the corpus of ${record.spec.target.service} to ${experiment}: ${done} of ${total} requests`),
          });
          if (opts.json) return out.json({ experiment, ...result });
          out.line(
            `replayed ${result.requests} corpus request(s) of ${result.entries} path(s) to ${experiment} in ${result.seconds.toFixed(1)} s (run ${result.run}): ${result.pairs} pair(s), counted in the "~corpus" rollup`,
          );
        } catch (err) {
          if (err instanceof PenumbraError) return out.fail(err.message);
          throw err;
        }
      }),
    );
}
