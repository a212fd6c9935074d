"""redis-py's RedisCluster against a running cluster: writes and reads
10,000 keys with pipelines and hash-tagged multi-key commands.

Usage: python3 cluster.py host:port [host:port ...]
Exits non-zero with a message on the first wrong reply.
"""
import sys

from redis.cluster import ClusterNode, RedisCluster


def main():
    nodes = []
    for a in sys.argv[1:]:
        host, port = a.rsplit(":", 1)
        nodes.append(ClusterNode(host, int(port)))
    c = RedisCluster(startup_nodes=nodes, decode_responses=True)
    n = 10000
    for start in range(0, n, 1000):
        p = c.pipeline()
        for i in range(start, start + 1000):
            p.set(f"redispy:{i}", str(i))
        if not all(p.execute()):
            sys.exit("FAIL pipelined SET")
    for start in range(0, n, 1000):
        p = c.pipeline()
        for i in range(start, start + 1000):
            p.get(f"redispy:{i}")
        for j, v in enumerate(p.execute()):
            if v != str(start + j):
                sys.exit(f"FAIL GET redispy:{start + j} = {v!r}")
    for u in range(100):
        keys = [f"{{redispy-user{u}}}:f{f}" for f in range(4)]
        c.mset_nonatomic({k: f"{u}-{f}" for f, k in enumerate(keys)})
        c.execute_command("MSET", *[x for f, k in enumerate(keys) for x in (k, f"{u}-{f}")])
        got = c.execute_command("MGET", *keys)
        if got != [f"{u}-{f}" for f in range(4)]:
            sys.exit(f"FAIL MGET {keys} = {got!r}")
        if c.delete(*keys) != 4:
            sys.exit("FAIL DEL of 4 keys")
    c.close()
    print("ok")


if __name__ == "__main__":
    main()
