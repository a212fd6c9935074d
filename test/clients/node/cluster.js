// ioredis Cluster against a running cluster: writes and reads 10,000 keys
// with pipelines and hash-tagged multi-key commands. Usage:
//   node cluster.js host:port [host:port ...]
// Exits non-zero with a message on the first wrong reply.
'use strict';
const { Cluster } = require('ioredis');

async function main() {
  const nodes = process.argv.slice(2).map((a) => {
    const i = a.lastIndexOf(':');
    return { host: a.slice(0, i), port: Number(a.slice(i + 1)) };
  });
  const c = new Cluster(nodes, { redisOptions: { maxRetriesPerRequest: 5 } });
  // An ioredis pipeline must stay on one node: each batch shares a hash
  // tag; the 100 batches spread over the slots.
  const N = 10000;
  const key = (i) => `{ioredis${Math.floor(i / 100)}}:${i}`;
  for (let start = 0; start < N; start += 100) {
    const p = c.pipeline();
    for (let i = start; i < start + 100; i++) p.set(key(i), String(i));
    for (const [err] of await p.exec()) if (err) throw err;
  }
  for (let start = 0; start < N; start += 100) {
    const p = c.pipeline();
    for (let i = start; i < start + 100; i++) p.get(key(i));
    const res = await p.exec();
    res.forEach(([err, v], j) => {
      if (err) throw err;
      if (v !== String(start + j)) throw new Error(`GET ${key(start + j)} = ${v}`);
    });
  }
  for (let i = 0; i < N; i += 97) {
    if ((await c.get(key(i))) !== String(i)) throw new Error(`GET ${key(i)}`);
  }
  for (let u = 0; u < 100; u++) {
    const keys = [0, 1, 2, 3].map((f) => `{ioredis-user${u}}:f${f}`);
    await c.mset(...keys.flatMap((k, f) => [k, `${u}-${f}`]));
    const got = await c.mget(...keys);
    got.forEach((v, f) => {
      if (v !== `${u}-${f}`) throw new Error(`MGET ${keys[f]} = ${v}`);
    });
    if ((await c.del(...keys)) !== 4) throw new Error('DEL of 4 keys');
  }
  await c.quit();
  console.log('ok');
}

main().catch((e) => {
  console.error('FAIL', e && e.message ? e.message : e);
  process.exit(1);
});
