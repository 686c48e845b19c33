// The relay's sockets are UDP over IPv4 (ICE-lite, one announced address). Remote candidates it cannot use —
// IPv6, TCP, mDNS `.local` names (werift resolves those by multicast DNS, ~10 s) — only confuse werift's
// ICE-lite agent, which keeps the FIRST pair the browser nominates: if that pair mixes loopback and LAN
// addresses, the relay's DTLS replies leave from an address the browser does not expect and are dropped
// (ICE "connected", DTLS stuck). So keep UDP IPv4 candidates in the announced address's scope only.
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const isLoopback = (address: string) => address.startsWith('127.');

export function keepUsableCandidates(sdp: string, announced: string): string {
  const loopback = isLoopback(announced);
  return sdp
    .split(/\r?\n/)
    .filter((line) => {
      if (!line.startsWith('a=candidate:')) return true;
      const f = line.slice('a=candidate:'.length).split(' ');
      const transport = (f[2] ?? '').toLowerCase();
      const address = f[4] ?? '';
      return transport === 'udp' && IPV4.test(address) && isLoopback(address) === loopback;
    })
    .join('\r\n');
}
