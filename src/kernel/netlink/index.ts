/** A small rtnetlink client (AF_NETLINK, NETLINK_ROUTE) over koffi: messages, attributes, requests with ACKs. */
export { NlMessage, NLM_F, NLMSG, NLA_F_NESTED, parseMessages, parseAttrs, attrString, type NlReply } from './message.js';
export { RtnetlinkSocket, withRtnetlink, type NetlinkReasons } from './socket.js';
