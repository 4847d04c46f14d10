import { checkDestination, parseDestinationPolicy } from './destinations';

const open = parseDestinationPolicy([]);

describe('checkDestination', () => {
  it('refuses metadata, link-local, loopback and unspecified addresses unless listed', () => {
    for (const url of [
      'http://169.254.169.254/',
      'http://169.254.10.1:8080',
      'http://127.0.0.1:8080',
      'http://127.9.9.9',
      'http://localhost:3000',
      'http://[::1]:8080',
      'http://[fe80::1]/',
      'http://[fd00:ec2::254]/',
      'http://0.0.0.0:80',
      'http://2130706433/',
      'http://0x7f000001/',
    ]) {
      expect({ url, ok: checkDestination(url, open).ok }).toEqual({ url, ok: false });
    }
    expect(checkDestination('http://127.0.0.1:8080', parseDestinationPolicy(['127.0.0.1/32']))).toEqual({ ok: true });
    expect(checkDestination('http://localhost:3000', parseDestinationPolicy(['localhost']))).toEqual({ ok: true });
  });

  it('allows ordinary destinations when nothing is listed, and only listed ones otherwise', () => {
    expect(checkDestination('http://candidate.internal:8080/api', open)).toEqual({ ok: true });
    const policy = parseDestinationPolicy(['candidate.internal', '10.0.0.0/8', 'https://shadow.example.com/v2', '*.svc.cluster.local']);
    expect(checkDestination('http://candidate.internal:8080/api', policy).ok).toBe(true);
    expect(checkDestination('http://10.1.2.3:9000', policy).ok).toBe(true);
    expect(checkDestination('https://shadow.example.com/v2/orders', policy).ok).toBe(true);
    expect(checkDestination('http://orders.team.svc.cluster.local', policy).ok).toBe(true);
    expect(checkDestination('https://shadow.example.com/v20', policy)).toMatchObject({ ok: false, reason: expect.stringMatching(/not in MIRROR_ALLOWED_TARGETS/) });
    expect(checkDestination('http://11.0.0.1', policy).ok).toBe(false);
    expect(checkDestination('http://evil.example', policy).ok).toBe(false);
  });

  it('refuses URLs with credentials and other schemes', () => {
    expect(checkDestination('http://user:pw@candidate.internal/', open).ok).toBe(false);
    expect(checkDestination('file:///etc/passwd', open).ok).toBe(false);
    expect(checkDestination('not a url', open).ok).toBe(false);
  });

  it('names the item it cannot read', () => {
    expect(() => parseDestinationPolicy(['10.0.0.0/40'])).toThrow(/"10.0.0.0\/40" is not a valid CIDR/);
    expect(() => parseDestinationPolicy(['a b'])).toThrow(/"a b" is none of/);
  });
});
