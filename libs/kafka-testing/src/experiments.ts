import {
  type ExperimentSpecInput,
  type OperatorSigner,
  type TrafficRecord,
  experimentRecordSchema,
  experimentSpecSchema,
  signExperimentRecord,
  trafficRecordSchema,
} from '@penumbra/contracts';
import { encodeEvent } from '@penumbra/kafka';
import { type TestKafka } from './test-kafka';

/** Publishes experiments to the namespace's experiments topic, signed as the CLI would (by the namespace's admin unless another signer is given). */
export async function publishExperiments(kafka: TestKafka, specs: ExperimentSpecInput[], signer?: OperatorSigner): Promise<void> {
  const by = signer ?? kafka.operators.admin.signer;
  await kafka.send(
    specs.map((input) => {
      const spec = experimentSpecSchema.parse(input);
      const record = signExperimentRecord({ type: 'experiment.v1', id: `exp-${spec.id}-${Date.now()}`, ts: Date.now(), experimentId: spec.id, actor: by.operator, spec }, by);
      return encodeEvent(experimentRecordSchema, record, kafka.topics.experiments, spec.id);
    }),
  );
}

export function trafficRecord(
  id: string,
  over: {
    service: string;
    method?: TrafficRecord['request']['method'];
    path?: string;
    query?: string;
    headers?: Record<string, string>;
    body?: string;
    attributes?: Record<string, string>;
    status?: number;
    responseBody?: string;
  },
): TrafficRecord {
  return trafficRecordSchema.parse({
    type: 'traffic.v1',
    id,
    ts: 1_763_776_800_000,
    service: over.service,
    request: {
      method: over.method ?? 'GET',
      path: over.path ?? '/items/1',
      query: over.query ?? '',
      headers: over.headers ?? {},
      ...(over.body ? { body: { encoding: 'utf8', data: over.body } } : {}),
    },
    response: { status: over.status ?? 200, headers: { 'content-type': 'application/json' }, body: { encoding: 'utf8', data: over.responseBody ?? '{"ok":true}' }, latencyMs: 5 },
    attributes: over.attributes ?? {},
  });
}

export async function publishTraffic(kafka: TestKafka, records: TrafficRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    await kafka.send(records.slice(i, i + 500).map((r) => encodeEvent(trafficRecordSchema, r, kafka.topics.traffic, r.id)));
  }
}
