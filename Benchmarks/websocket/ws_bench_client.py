#!/usr/bin/env python3
"""Python `websockets` client side of the WebSocket benchmark: sends COUNT binary messages of
SIZE bytes to an echo server while a second task receives the echoes; prints one JSON line with
wall seconds and this process's CPU seconds.
Usage: ws_bench_client.py URL SIZE COUNT [CAFILE]
"""
import asyncio, json, os, resource, ssl, sys, time
from websockets.asyncio.client import connect


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


async def main():
    url, size, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ctx = ssl.create_default_context(cafile=sys.argv[4]) if len(sys.argv) > 4 else None
    payload = os.urandom(size)
    async with connect(url, ssl=ctx, max_size=64 << 20, ping_interval=None, compression=None,
                       write_limit=4 << 20) as ws:
        await ws.send(payload)  # warm-up
        await ws.recv()
        c0, t0 = cpu(), time.perf_counter()

        async def sender():
            for _ in range(count):
                await ws.send(payload)

        async def receiver():
            got = 0
            for _ in range(count):
                m = await ws.recv()
                got += len(m)
            return got

        s = asyncio.create_task(sender())
        got = await receiver()
        await s
        t1, c1 = time.perf_counter(), cpu()
        assert got == size * count
    print(json.dumps({"seconds": t1 - t0, "cpu": c1 - c0}), flush=True)


asyncio.run(main())
