/** Packets and captures: builders with correct checksums, pcap/pcapng, and runs of programs over captures. */
export * from './packet.js';
export * from './pcap.js';
export * from './pcap-run.js';
