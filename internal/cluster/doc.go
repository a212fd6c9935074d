// Package cluster is Redis Cluster's state as a pure, deterministic state
// machine, matching src/cluster.c of Redis 7.0: the node table, links, the
// 16384-slot map with migrating/importing marks, epochs, failure reports,
// the blacklist of forgotten nodes, cluster_state, and nodes.conf.
//
// The driver (internal/server) owns the sockets and the disk. It feeds the
// state machine with Tick (clusterCron), Accepted/Connected/LinkClosed
// (link events), Step (a decoded message) and the command methods, and after
// each call drains Ready for what to dial, send, close, deliver, save and
// log, as etcd's raft hands its caller a Ready.
//
// No sockets, no clocks, no global randomness: time comes in as unix
// milliseconds, randomness from Config.Rand, key counts from Config.Keys.
// Commands use the time of the latest Tick, Step or link call. The package
// imports only internal/cluster/bus of ours.
package cluster
