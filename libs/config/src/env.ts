import { ConfigError } from '@penumbra/errors';
import { z } from 'zod';

export type Env = Record<string, string | undefined>;

/** Parses the environment once; every bad or missing variable is named with what it expects. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Env, service = 'service'): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => {
    const variable = i.path.length > 0 ? String(i.path[0]) : '(environment)';
    const got = i.path.length > 0 ? env[variable] : undefined;
    const shown = got === undefined ? 'not set' : `got ${JSON.stringify(redactIfSecret(variable, got))}`;
    return `  ${variable}: ${i.message} (${shown})`;
  });
  throw new ConfigError(`${service}: invalid configuration\n${lines.join('\n')}`, { variables: result.error.issues.map((i) => String(i.path[0] ?? '')) });
}

function redactIfSecret(variable: string, value: string): string {
  return /PASSWORD|SECRET|TOKEN|KEY$/i.test(variable) ? '<redacted>' : value;
}

const BOOL_TRUE = ['1', 'true', 'yes', 'on'];
const BOOL_FALSE = ['0', 'false', 'no', 'off', ''];

export const envBool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      const s = v.trim().toLowerCase();
      if (BOOL_TRUE.includes(s)) return true;
      if (BOOL_FALSE.includes(s)) return false;
      ctx.addIssue({ code: 'custom', message: 'expected true or false (also 1/0, yes/no, on/off)' });
      return z.NEVER;
    });

export const envInt = (fallback: number, bounds: { min?: number; max?: number } = {}) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return fallback;
      const n = Number(v);
      const min = bounds.min ?? Number.MIN_SAFE_INTEGER;
      const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a whole number from ${min} to ${max}` });
        return z.NEVER;
      }
      return n;
    });

export const envList = (what: string, pattern?: RegExp) =>
  z.string({ error: `required: ${what}` }).transform((v, ctx) => {
    const items = v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = pattern ? items.filter((i) => !pattern.test(i)) : [];
    if (items.length === 0 || bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `expected ${what}${bad.length ? `; bad item(s): ${bad.join(', ')}` : ''}` });
      return z.NEVER;
    }
    return items;
  });

export const envEnum = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return fallback;
      if ((values as readonly string[]).includes(v)) return v as T[number];
      ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}` });
      return z.NEVER;
    });

export const envString = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : v));

export const envOptionalString = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : v));

/** "name:value,name:value" into a map; header names lower-cased. */
export const envHeaderMap = () =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const out: Record<string, string> = {};
      for (const item of (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const [name, value] = item.split(':').map((s) => s.trim());
        if (!name || !value) {
          ctx.addIssue({ code: 'custom', message: `expected header:attribute pairs separated by commas; bad item "${item}"` });
          return z.NEVER;
        }
        out[name.toLowerCase()] = value;
      }
      return out;
    });
