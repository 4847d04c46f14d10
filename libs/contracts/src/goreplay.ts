import { z } from 'zod';

/**
 * A message of GoReplay's Kafka output with --output-kafka-json-format. Every field is a string.
 * Req_Type "1" is a request, "2" the original response, "3" a replayed response. For a response,
 * GoReplay's parser puts the status code in Req_URL and the protocol in Req_Method.
 */
export const goReplayMessageSchema = z.object({
  Req_URL: z.string().max(16_384),
  Req_Type: z.enum(['1', '2', '3']),
  Req_ID: z.string().min(1).max(200),
  /** Nanoseconds since the epoch. */
  Req_Ts: z.string().regex(/^\d{1,20}$/, 'must be nanoseconds since the epoch'),
  Req_Method: z.string().max(100),
  Req_Body: z.string().default(''),
  Req_Headers: z.record(z.string(), z.string()).default({}),
});
export type GoReplayMessage = z.infer<typeof goReplayMessageSchema>;
