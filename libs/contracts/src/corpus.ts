import { z } from 'zod';
import { epochMs, experimentId } from './common';
import { trafficRecordSchema } from './traffic';

export const MAX_CORPUS_REQUESTS = 20;

/** One saved request: what was captured, credentials already removed, to be replayed to a new candidate. */
export const corpusRequestSchema = z.object({
  trafficId: z.string().min(1).max(512),
  capturedAt: epochMs,
  request: trafficRecordSchema.shape.request,
  attributes: trafficRecordSchema.shape.attributes,
  sessionKey: trafficRecordSchema.shape.sessionKey,
});
export type CorpusRequest = z.infer<typeof corpusRequestSchema>;

/**
 * The regression corpus, one record per service, endpoint and path (compacted by that key): the
 * requests whose pairs showed a regression there, newest first, so that a later candidate of the
 * service can be replayed them before it sees live traffic.
 */
export const corpusEntrySchema = z.object({
  type: z.literal('corpus.v1'),
  service: z.string().min(1).max(200),
  endpoint: z.string().min(1).max(1024),
  /** The path template that regressed ("status" or "header:<name>" for non-body differences). */
  path: z.string().min(1).max(2048),
  /** Why it was saved: the experiment was rolled back, or the path was judged a regression. */
  reason: z.enum(['rollback', 'regression']),
  /** The experiment that showed it last. */
  experimentId,
  savedAt: epochMs,
  requests: z.array(corpusRequestSchema).min(1).max(MAX_CORPUS_REQUESTS),
});
export type CorpusEntry = z.infer<typeof corpusEntrySchema>;

/** The record key: unambiguous whatever the three parts hold. */
export function corpusKey(service: string, endpoint: string, path: string): string {
  return JSON.stringify([service, endpoint, path]);
}
