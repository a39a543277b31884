namespace Vipd.Linux.Netlink;

/// <summary>Receives one message of a reply (a dump entry, or the reply to a GET) while the buffer is valid.</summary>
internal delegate void NetlinkMessageHandler(NetlinkMessage message);
