import { z } from 'zod';
import { body, epochMs, eventId, httpHeaders, httpMethod, responseSnapshot } from './common';

/** One captured production exchange, as written to the traffic topic by a capture tee. */
export const trafficRecordSchema = z.object({
  type: z.literal('traffic.v1'),
  id: eventId,
  ts: epochMs,
  service: z.string().min(1).max(200),
  request: z.object({
    method: httpMethod,
    /** Path only, starting with "/"; the mirror never takes a host or scheme from capture. */
    path: z.string().min(1).max(8192),
    query: z.string().max(8192).default(''),
    headers: httpHeaders.default({}),
    body: body.optional(),
  }),
  response: responseSnapshot,
  attributes: z.record(z.string(), z.string()).default({}),
  /** Which version served it, when production itself runs several. */
  variant: z.string().max(200).optional(),
  /** Groups requests of one session for consistent sampling and partitioning. */
  sessionKey: z.string().max(512).optional(),
});
export type TrafficRecord = z.infer<typeof trafficRecordSchema>;
