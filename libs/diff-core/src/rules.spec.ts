import { PenumbraError } from '@penumbra/errors';
import { compileRules, parseRulePath } from './rules';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('rule paths', () => {
  it('parses keys, wildcards, indexes and descendants', () => {
    expect(parseRulePath('$.items[*].price')).toEqual([{ t: 'key', name: 'items' }, { t: 'anyIndex' }, { t: 'key', name: 'price' }]);
    expect(parseRulePath('$..updatedAt')).toEqual([{ t: 'descend', name: 'updatedAt' }]);
    expect(parseRulePath('$.a.*[0]')).toEqual([{ t: 'key', name: 'a' }, { t: 'anyKey' }, { t: 'index', index: 0 }]);
  });

  it('rejects a path that does not start at the root, naming the path and a code to match on', () => {
    const err = thrown(() => parseRulePath('items.price'));
    expect(err).toBeInstanceOf(PenumbraError);
    expect(err).toMatchObject({ code: 'RULE_PATH_INVALID', retriable: false, context: { path: 'items.price' } });
  });

  it('says where a malformed path goes wrong', () => {
    expect(thrown(() => parseRulePath('$.a[x]'))).toMatchObject({ code: 'RULE_PATH_INVALID', context: { path: '$.a[x]', at: 3 } });
  });

  it('refuses more rules than the automaton can number', () => {
    const ignore = Array.from({ length: 1024 }, (_, i) => `$.f${i}`);
    expect(thrown(() => compileRules({ ignore }))).toMatchObject({ code: 'TOO_MANY_RULES', retriable: false, context: { rules: 1024 } });
  });
});
