/**
 * The packet builders: address parsing, the Internet checksum against published vectors, and
 * frames whose headers and checksums are right.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkChecksums, ethernetFrame, internetChecksum, ipv4Address, ipv4Packet, ipv6Address, macAddress, packet,
  tcpSegment, udpDatagram, ETHERTYPE, IPPROTO, TCP_FLAGS,
} from '../src/net/packet.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('addresses', () => {
  test('MAC, IPv4 and IPv6 text forms', () => {
    assert.equal(hex(macAddress('02:00:5E:10:00:01')), '02005e100001');
    assert.equal(hex(macAddress('aa-bb-cc-dd-ee-ff')), 'aabbccddeeff');
    assert.equal(hex(ipv4Address('10.1.255.0')), '0a01ff00');
    assert.equal(hex(ipv6Address('::')), '0'.repeat(32));
    assert.equal(hex(ipv6Address('::1')), '0'.repeat(31) + '1');
    assert.equal(hex(ipv6Address('fe80::1:2')), 'fe80' + '0'.repeat(20) + '00010002');
    assert.equal(hex(ipv6Address('2001:db8:0:0:1:0:0:1')), '20010db8000000000001000000000001');
    assert.equal(hex(ipv6Address('::ffff:192.0.2.128')), '00000000000000000000ffffc0000280');
    assert.equal(hex(ipv6Address('64:ff9b::10.0.0.1')), '0064ff9b0000000000000000' + '0a000001');
  });

  test('malformed addresses are refused with the text in the message', () => {
    for (const bad of ['1.2.3', '1.2.3.256', 'a.b.c.d']) assert.throws(() => ipv4Address(bad), /not an IPv4 address/);
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '1:2:3']) assert.throws(() => ipv6Address(bad), /not an IPv6 address/);
    assert.throws(() => macAddress('00:11:22:33:44'), /not a MAC address/);
  });
});

describe('checksums', () => {
  test('RFC 1071 example and an odd length', () => {
    // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (one's complement: 220d).
    assert.equal(internetChecksum(Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7])), 0x220d);
    assert.equal(internetChecksum(Uint8Array.from([0x00, 0x01]), Uint8Array.from([0xf2]), Uint8Array.from([0x03, 0xf4, 0xf5, 0xf6, 0xf7])), 0x220d);
    assert.equal(internetChecksum(Uint8Array.from([0xff])), 0x00ff);
  });

  test('a well-known IPv4 header: checksum b861', () => {
    // 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7 (the usual worked example).
    const p = ipv4Packet({ src: '192.168.0.1', dst: '192.168.0.199', protocol: IPPROTO.UDP, ttl: 64 }, new Uint8Array(0x73 - 20));
    assert.equal(hex(p.subarray(0, 20)), '45000073000040004011b861c0a80001c0a800c7');
  });

  test('UDP over IPv4 and IPv6, TCP: verified by a plain 32-bit sum', () => {
    const sum = (...parts: Uint8Array[]): number => {
      let s = 0;
      const all = Buffer.concat(parts);
      for (let i = 0; i < all.length; i += 2) s += (all[i]! << 8) + (all[i + 1] ?? 0);
      while (s >> 16) s = (s & 0xffff) + (s >> 16);
      return s;
    };
    const s4 = ipv4Address('10.0.0.1'), d4 = ipv4Address('10.0.0.2');
    const u = udpDatagram({ srcPort: 1000, dstPort: 53 }, Buffer.from('query'), s4, d4);
    assert.equal(sum(s4, d4, Uint8Array.of(0, 17, 0, u.length), u), 0xffff);
    const s6 = ipv6Address('fe80::1'), d6 = ipv6Address('fe80::2');
    const u6 = udpDatagram({ srcPort: 1, dstPort: 2 }, Buffer.from('x'), s6, d6);
    assert.equal(sum(s6, d6, Uint8Array.of(0, 0, 0, u6.length, 0, 0, 0, 17), u6), 0xffff);
    const t = tcpSegment({ srcPort: 80, dstPort: 81, seq: 1, ack: 2, flags: 'SA' }, Buffer.from('abc'), s4, d4);
    assert.equal(t[13], TCP_FLAGS.SYN | TCP_FLAGS.ACK);
    assert.equal(sum(s4, d4, Uint8Array.of(0, 6, 0, t.length), t), 0xffff);
  });
});

describe('frames', () => {
  test('packet() builds Ethernet + IPv4/IPv6 + UDP/TCP with every length and checksum right', () => {
    const f4 = packet({ src: '10.0.0.1', dst: '10.0.0.2', udp: { srcPort: 5, dstPort: 6 }, payload: 'hello', ttl: 9, id: 7 });
    assert.equal(f4.length, 14 + 20 + 8 + 5);
    assert.equal((f4[12]! << 8) | f4[13]!, ETHERTYPE.IPV4);
    assert.equal(f4[22], 9);
    assert.equal((f4[16]! << 8) | f4[17]!, 33);
    assert.deepEqual(checkChecksums(f4), { ipv4: true, l4: true });
    const f6 = packet({ src: '2001:db8::1', dst: '2001:db8::2', tcp: { srcPort: 1, dstPort: 2, flags: 'S' }, eth: { vlan: { id: 5 } } });
    assert.equal(f6.length, 18 + 40 + 20);
    assert.equal(hex(f6.subarray(12, 18)), '8100000586dd');
    const plain = packet({ src: '2001:db8::1', dst: '2001:db8::2', tcp: { srcPort: 1, dstPort: 2, flags: 'S' } });
    assert.deepEqual(checkChecksums(plain), { l4: true });
    const broken = f4.slice();
    broken[30] ^= 1;
    assert.deepEqual(checkChecksums(broken), { ipv4: false, l4: false });
    assert.deepEqual(checkChecksums(ethernetFrame({ type: ETHERTYPE.ARP }, new Uint8Array(28))), {});
  });

  test('refusals name what is wrong', () => {
    assert.throws(() => packet({ src: '10.0.0.1', dst: '10.0.0.2', tcp: { srcPort: 1, dstPort: 2, flags: 'SX' } }), /'X' is not a TCP flag/);
    assert.throws(() => ipv4Packet({ src: '1.1.1.1', dst: '1.1.1.1', protocol: 6 }, new Uint8Array(70000)), /longer than 65535/);
  });
});
