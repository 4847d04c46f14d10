import { parseRedisClusterStackAnswer, parseSecureStackAnswer, parseStackAnswer } from './stack-answer';

describe('parseStackAnswer', () => {
  it('takes the address from the last line of JSON', () => {
    expect(parseStackAnswer('kafka', 'noise\n{"address":"127.0.0.1:9092"}\n')).toBe('127.0.0.1:9092');
    expect(parseStackAnswer('kafka', '{"address":"a:1,b:2"}')).toBe('a:1,b:2');
    expect(parseStackAnswer('redis', '{"address":"redis://127.0.0.1:6379"}')).toBe('redis://127.0.0.1:6379');
  });

  it("refuses an address carrying a terminal's colour codes, as Maven once printed them", () => {
    expect(() => parseStackAnswer('kafka', '{"address":"\\u001b[0m\\u001b[0m127.0.0.1:9092"}')).toThrow(/malformed address/);
    expect(() => parseStackAnswer('kafka', '\u001b[0m\u001b[0m127.0.0.1:9092')).toThrow(/did not answer with JSON/);
  });

  it('refuses what is not host:port or a redis URL', () => {
    expect(() => parseStackAnswer('kafka', '{"address":"127.0.0.1"}')).toThrow(/malformed/);
    expect(() => parseStackAnswer('kafka', '{"address":"a:1, b:2"}')).toThrow(/malformed/);
    expect(() => parseStackAnswer('redis', '{"address":"http://x"}')).toThrow(/malformed/);
    expect(() => parseStackAnswer('redis', '{"address":"redis://x\\ny"}')).toThrow(/malformed/);
    expect(() => parseStackAnswer('redis', '{}')).toThrow(/without an address/);
  });

  it('reads the SASL settings of a secure answer and refuses an answer without them', () => {
    const answer = JSON.stringify({ address: '127.0.0.1:9092', sasl: { mechanism: 'scram-sha-512', credentialsFile: 'state/kafka-secure/credentials.json' } });
    expect(parseSecureStackAnswer(`progress\n${answer}\n`)).toEqual({ mechanism: 'scram-sha-512', credentialsFile: 'state/kafka-secure/credentials.json' });
    expect(() => parseSecureStackAnswer('{"address":"127.0.0.1:9092"}')).toThrow(/without SASL settings/);
  });
});

describe('parseRedisClusterStackAnswer', () => {
  it('takes the cluster nodes, and refuses an answer without valid ones', () => {
    expect(parseRedisClusterStackAnswer('{"address":"redis://127.0.0.1:7000","clusterNodes":"127.0.0.1:7000,127.0.0.1:7001"}')).toBe('127.0.0.1:7000,127.0.0.1:7001');
    expect(() => parseRedisClusterStackAnswer('{"address":"redis://127.0.0.1:6379"}')).toThrow(/--cluster/);
    expect(() => parseRedisClusterStackAnswer('{"clusterNodes":"127.0.0.1:7000,x y:1"}')).toThrow(/--cluster/);
  });
});
