import {
  clientURLOfIP,
  clientURLOfName,
  defaultMemberAddressing,
  memberClientURL,
  memberNameOfPeerURL,
  peerURL,
} from './member-names.js';

describe('member client URLs', () => {
  it('names a member under the headless Service, as its peer URL does, on the client port', () => {
    expect(clientURLOfName('web', 'prod', 'web-b2c4d')).toBe('http://web-b2c4d.web.prod.svc:2379');
    expect(peerURL('web', 'prod', 'web-b2c4d')).toBe('http://web-b2c4d.web.prod.svc:2380');
  });
  it('reaches a member by DNS name or by Pod IP, as asked', () => {
    expect(memberClientURL('dns', 'web', 'prod', 'web-b2c4d', '10.244.0.7')).toBe(
      'http://web-b2c4d.web.prod.svc:2379',
    );
    expect(memberClientURL('pod-ip', 'web', 'prod', 'web-b2c4d', '10.244.0.7')).toBe(
      clientURLOfIP('10.244.0.7'),
    );
  });
  it('keeps peer URLs readable back to member names', () => {
    expect(memberNameOfPeerURL('web', 'prod', peerURL('web', 'prod', 'web-b2c4d'))).toBe('web-b2c4d');
  });
  it('uses https for a side with TLS, and reads https peer URLs back too', () => {
    const url = peerURL('web', 'prod', 'web-b2c4d', 'https');
    expect(url).toBe('https://web-b2c4d.web.prod.svc:2380');
    expect(memberNameOfPeerURL('web', 'prod', url)).toBe('web-b2c4d');
    expect(memberClientURL('pod-ip', 'web', 'prod', 'web-b2c4d', '10.244.0.7', 'https')).toBe(
      'https://10.244.0.7:2379',
    );
  });
});

describe('defaultMemberAddressing', () => {
  it('uses DNS names inside a Pod, where the kubelet sets KUBERNETES_SERVICE_HOST', () => {
    expect(defaultMemberAddressing({ KUBERNETES_SERVICE_HOST: '10.96.0.1' })).toBe('dns');
  });
  it('uses Pod IPs on a host, which cannot resolve cluster names', () => {
    expect(defaultMemberAddressing({})).toBe('pod-ip');
    expect(defaultMemberAddressing({ KUBERNETES_SERVICE_HOST: '' })).toBe('pod-ip');
  });
});
