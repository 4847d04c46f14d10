import { type ExperimentSpec, type HttpMethod, type SliceValues, type TrafficRecord } from '@penumbra/contracts';
import { type CompiledRoute, compileRoutes, matchRoute } from './routes';

/** An experiment with its route patterns compiled once, for the hot path. */
export interface CompiledExperiment {
  spec: ExperimentSpec;
  targetRoutes: CompiledRoute[];
  endpointTemplates: CompiledRoute[];
}

export function compileExperiment(spec: ExperimentSpec): CompiledExperiment {
  const templates = [...spec.compare.routes, ...spec.target.routes.filter((r) => !r.includes('*'))];
  return { spec, targetRoutes: compileRoutes(spec.target.routes), endpointTemplates: compileRoutes(templates) };
}

/** Whether captured traffic belongs to the experiment: service, route patterns and methods. */
export function matchesTarget(experiment: CompiledExperiment, record: Pick<TrafficRecord, 'service' | 'request'>): boolean {
  const { target } = experiment.spec;
  if (record.service !== target.service) return false;
  if (target.methods.length > 0 && !target.methods.includes(record.request.method)) return false;
  if (experiment.targetRoutes.length > 0 && matchRoute(experiment.targetRoutes, record.request.path) === undefined) return false;
  return true;
}

export function methodAllowed(spec: ExperimentSpec, method: HttpMethod): boolean {
  return spec.shadow.allowedMethods.includes(method);
}

/** The slice a record falls in: the experiment's slice attributes that the record carries. */
export function sliceOf(attributes: Record<string, string>, sliceAttributes: readonly string[]): SliceValues {
  const slice: SliceValues = {};
  for (const name of sliceAttributes) {
    const value = attributes[name];
    if (value !== undefined) slice[name] = value;
  }
  return slice;
}
