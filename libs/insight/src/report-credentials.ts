import { type CredentialPolicy } from '@penumbra/credentials';
import { type ReportData } from './report-data';

const HEADER_PATH = 'header:';

/**
 * The report as it may be shown or saved: example values of a credential header hashed, URL
 * userinfo, query secrets and bearer tokens hashed in every text it carries. Diffs written by this
 * version are already clean; this holds for aggregates built from older ones too.
 */
export function reportWithoutCredentials(r: ReportData, policy: CredentialPolicy): ReportData {
  const t = (s: string) => policy.text(s);
  return {
    ...r,
    description: t(r.description),
    verdict: { ...r.verdict, summary: t(r.verdict.summary) },
    topDifferences: r.topDifferences.map((d) => {
      const header = d.path.startsWith(HEADER_PATH) ? d.path.slice(HEADER_PATH.length) : undefined;
      const value = (v: string) => (header !== undefined && policy.isCredentialHeader(header) ? policy.hash(v) : t(v));
      const examples = d.examples.map((e) => ({
        ...e,
        ...(e.primary === undefined ? {} : { primary: value(e.primary) }),
        ...(e.candidate === undefined ? {} : { candidate: value(e.candidate) }),
      }));
      return { ...d, path: t(d.path), examples };
    }),
    ...(r.pathVerdicts ? { pathVerdicts: { ...r.pathVerdicts, verdicts: r.pathVerdicts.verdicts.map((v) => ({ ...v, endpoint: t(v.endpoint), path: t(v.path) })) } } : {}),
    decisions: r.decisions.map((d) => ({ ...d, actor: t(d.actor), reason: t(d.reason) })),
    audit: { ...r.audit, timeline: r.audit.timeline.map((e) => ({ ...e, actor: t(e.actor), summary: t(e.summary) })) },
  };
}
