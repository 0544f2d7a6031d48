import { describe, expect, it } from '@jest/globals';
import { bypassesProxy, proxyForServer } from '../../../../agent/kube/proxy-env.js';

describe('proxyForServer', () => {
  it('uses HTTPS_PROXY for https servers and HTTP_PROXY for http servers, upper or lower case', () => {
    expect(proxyForServer('https://api.example.com:6443', { HTTPS_PROXY: 'http://proxy:3128' })).toBe('http://proxy:3128');
    expect(proxyForServer('https://api.example.com:6443', { https_proxy: 'proxy:3128' })).toBe('http://proxy:3128');
    expect(proxyForServer('https://api.example.com:6443', { HTTP_PROXY: 'http://proxy:3128' })).toBeUndefined();
    expect(proxyForServer('http://api.example.com:8080', { HTTP_PROXY: 'http://proxy:3128' })).toBe('http://proxy:3128');
  });

  it('never proxies localhost or loopback addresses', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128' };
    expect(proxyForServer('https://localhost:6443', env)).toBeUndefined();
    expect(proxyForServer('https://127.0.0.1:6443', env)).toBeUndefined();
    expect(proxyForServer('https://[::1]:6443', env)).toBeUndefined();
  });

  it('honours NO_PROXY', () => {
    expect(
      proxyForServer('https://kubernetes.default.svc:443', { HTTPS_PROXY: 'http://p:1', NO_PROXY: '.svc,.cluster.local' }),
    ).toBeUndefined();
    expect(proxyForServer('https://10.96.0.1:443', { HTTPS_PROXY: 'http://p:1', no_proxy: '10.0.0.0/8' })).toBeUndefined();
    expect(proxyForServer('https://api.example.com', { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'other.com' })).toBe('http://p:1');
  });
});

describe('bypassesProxy', () => {
  it('matches names and their subdomains, and .domain for subdomains only', () => {
    expect(bypassesProxy('example.com', '443', 'example.com')).toBe(true);
    expect(bypassesProxy('api.example.com', '443', 'example.com')).toBe(true);
    expect(bypassesProxy('badexample.com', '443', 'example.com')).toBe(false);
    expect(bypassesProxy('api.example.com', '443', '.example.com')).toBe(true);
    expect(bypassesProxy('example.com', '443', '.example.com')).toBe(false);
  });

  it('matches *, IPs, CIDR ranges and ports', () => {
    expect(bypassesProxy('anything', '443', '*')).toBe(true);
    expect(bypassesProxy('10.1.2.3', '443', '10.1.2.3')).toBe(true);
    expect(bypassesProxy('10.1.2.3', '443', '10.0.0.0/8')).toBe(true);
    expect(bypassesProxy('11.1.2.3', '443', '10.0.0.0/8')).toBe(false);
    expect(bypassesProxy('api.example.com', '6443', 'example.com:6443')).toBe(true);
    expect(bypassesProxy('api.example.com', '443', 'example.com:6443')).toBe(false);
    expect(bypassesProxy('fe80::1', '443', 'fe80::1')).toBe(true);
    expect(bypassesProxy('api.example.com', '443', ' , ')).toBe(false);
  });
});
