/**
 * The network devices a test run can name. tsbpf has no devices of its own; test runs happen "on"
 * the loopback device as in the kernel (net->loopback_dev), and a caller may describe others
 * (ctx_in's ifindex, ingress_ifindex) so runs that name them behave as on that machine.
 */

export interface NetDevice {
  readonly ifindex: number;
  readonly name: string;
  /** dev_addr: frames to other addresses are PACKET_OTHERHOST. */
  readonly mac: Uint8Array;
  /** dev->broadcast: all zero for the loopback device, so ff:ff:... is PACKET_MULTICAST there. */
  readonly broadcast: Uint8Array;
  /** real_num_rx_queues */
  readonly rxQueues: number;
}

export const LOOPBACK: NetDevice = {
  ifindex: 1, name: 'lo', mac: new Uint8Array(6), broadcast: new Uint8Array(6), rxQueues: 1,
};

export function findDevice(devices: readonly NetDevice[] | undefined, ifindex: number): NetDevice | undefined {
  if (ifindex === LOOPBACK.ifindex) return devices?.find((d) => d.ifindex === ifindex) ?? LOOPBACK;
  return devices?.find((d) => d.ifindex === ifindex);
}

/** PACKET_* (linux/if_packet.h) values of skb->pkt_type. */
export const PKT_TYPE = { PACKET_HOST: 0, PACKET_BROADCAST: 1, PACKET_MULTICAST: 2, PACKET_OTHERHOST: 3 } as const;

function same(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 6; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** eth_type_trans's pkt_type for a frame with destination `dst` received on `dev`. */
export function packetType(dst: Uint8Array, dev: NetDevice): number {
  if (same(dst, dev.mac)) return PKT_TYPE.PACKET_HOST;
  if ((dst[0]! & 1) !== 0) return same(dst, dev.broadcast) ? PKT_TYPE.PACKET_BROADCAST : PKT_TYPE.PACKET_MULTICAST;
  return PKT_TYPE.PACKET_OTHERHOST;
}

/**
 * eth_type_trans's skb->protocol (as the host reads the __be16: bytes swapped): the EtherType
 * when it is one (>= 0x600), else 802.3 raw (payload starting ff ff) or 802.2 LLC.
 */
export function ethProtocol(frame: Uint8Array): number {
  const type = (frame[12]! << 8) | frame[13]!;
  let proto: number;
  if (type >= 0x600) proto = type;
  else if (frame.length >= 16 && frame[14] === 0xff && frame[15] === 0xff) proto = 0x0001; // ETH_P_802_3
  else proto = 0x0004; // ETH_P_802_2
  return ((proto & 0xff) << 8) | (proto >> 8);
}
