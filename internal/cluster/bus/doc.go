// Package bus is the codec of the Redis 7.0 cluster bus (clusterMsg in
// cluster.h, restated in ../shared/spec/cluster-bus.md): the 2256-byte
// header, the bodies of every message type, gossip entries and ping
// extensions.
//
// It decodes untrusted bytes: every length is checked before a field is read,
// as clusterProcessPacket's length checks do, and a bad frame is an error,
// never a panic. It never touches a socket and imports nothing of ours.
package bus
