#!/usr/bin/env node
// Writes examples/packets/mixed.pcap: a small capture of mixed traffic for the XDP, tc and socket
// filter examples, built with tsbpf's packet builder (run `npm run build` first). The .pcap is
// committed; this script says how it was made and makes it again byte for byte.
//
//  #  frame                                   count_protocols  xdp_drop_port
//  0  TCP SYN 10.0.0.1:40000 -> 10.0.0.2:80   TCP              DROP
//  1  TCP SYN 10.0.0.1:40001 -> :443          TCP              PASS
//  2  UDP 10.0.0.1:5353 -> 10.0.0.2:53        UDP              PASS
//  3  ICMP echo request 10.0.0.1 -> 10.0.0.2  ICMP             PASS
//  4  TCP PSH/ACK -> :80 "GET / HTTP/1.1"      TCP              DROP
//  5  TCP SYN -> :22                          TCP              PASS
//  6  UDP -> :123 (NTP)                       UDP              PASS
//  7  ICMP echo reply 10.0.0.2 -> 10.0.0.1    ICMP             PASS
//  8  TCP ACK -> :80                          TCP              DROP
//  9  IPv6 UDP 2001:db8::1 -> 2001:db8::2:53  (not IPv4)       PASS
// 10  ARP who-has 10.0.0.2                    (not IPv4)       PASS
// 11  a 10-byte runt (shorter than Ethernet)  skipped          skipped
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const net = await import(join(here, '..', '..', 'dist', 'src', 'net', 'index.js'));
const { packet, ethernetFrame, internetChecksum, writePcap, ETHERTYPE, IPPROTO } = net;

const A = '10.0.0.1', B = '10.0.0.2';
function icmpEcho(type, id, seq) {
  const m = new Uint8Array(16);
  m[0] = type; // 8 request, 0 reply
  m[4] = id >> 8; m[5] = id & 0xff; m[6] = seq >> 8; m[7] = seq & 0xff;
  m.set(new TextEncoder().encode('tsbpf!!!'), 8);
  const sum = internetChecksum(m);
  m[2] = sum >> 8; m[3] = sum & 0xff;
  return m;
}
function arpWhoHas(senderIp, targetIp) {
  const p = new Uint8Array(28);
  p.set([0, 1, 0x08, 0x00, 6, 4, 0, 1], 0); // Ethernet, IPv4, request
  p.set([2, 0, 0, 0, 0, 1], 8);
  p.set(senderIp, 14);
  p.set(targetIp, 24);
  return p;
}

const frames = [
  packet({ src: A, dst: B, tcp: { srcPort: 40000, dstPort: 80, flags: 'S', seq: 1000 } }),
  packet({ src: A, dst: B, tcp: { srcPort: 40001, dstPort: 443, flags: 'S', seq: 2000 } }),
  packet({ src: A, dst: B, udp: { srcPort: 5353, dstPort: 53 }, payload: new Uint8Array([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]) }),
  packet({ src: A, dst: B, protocol: IPPROTO.ICMP, payload: icmpEcho(8, 7, 1) }),
  packet({ src: A, dst: B, tcp: { srcPort: 40000, dstPort: 80, flags: 'PA', seq: 1001, ack: 5001 }, payload: 'GET / HTTP/1.1\r\nHost: b\r\n\r\n' }),
  packet({ src: A, dst: B, tcp: { srcPort: 40002, dstPort: 22, flags: 'S', seq: 3000 } }),
  packet({ src: A, dst: B, udp: { srcPort: 123, dstPort: 123 }, payload: new Uint8Array(48).fill(0x1b, 0, 1) }),
  packet({ src: B, dst: A, protocol: IPPROTO.ICMP, payload: icmpEcho(0, 7, 1) }),
  packet({ src: A, dst: B, tcp: { srcPort: 40000, dstPort: 80, flags: 'A', seq: 1028, ack: 5100 } }),
  packet({ src: '2001:db8::1', dst: '2001:db8::2', udp: { srcPort: 5353, dstPort: 53 }, payload: new Uint8Array(12) }),
  ethernetFrame({ dst: 'ff:ff:ff:ff:ff:ff', type: ETHERTYPE.ARP }, arpWhoHas([10, 0, 0, 1], [10, 0, 0, 2])),
  new Uint8Array([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0]),
];
const t0 = 1_700_000_000_000_000_000n;
const pcap = writePcap(frames.map((data, i) => ({ timestampNs: t0 + BigInt(i) * 1_000_000n, data })));
writeFileSync(join(here, 'mixed.pcap'), pcap);
process.stderr.write(`wrote examples/packets/mixed.pcap: ${frames.length} frames, ${pcap.length} bytes\n`);
