#!/usr/bin/env python3
"""A `websockets` library CLIENT used to test captty's WebSocket server role.

Usage: ws_client.py URL SCENARIO [--ca CAFILE]
Prints one JSON line per observation and `DONE` at the end (exit 0), or `FAIL <why>` (exit 1).
Scenarios:
  echo         send text and binary messages (0 B .. 1 MiB) and check each echo
  fragmented   send fragmented text and binary messages; check the (reassembled) echoes
  ping         send a ping and wait for the pong
  close        send close(4001, "bye from python"); report the server's close frame
  server-close send "close-me" and report the close frame the server sends
  reject       expect the upgrade to be rejected; report status, dg-error and body
  half-close   send two messages, shut down the sending side of TCP (no close frame), report
               the echoes that still arrive and how the connection ends
"""
import asyncio, json, os, ssl, sys
import websockets
from websockets.asyncio.client import connect


def out(**kw):
    print(json.dumps(kw), flush=True)


async def main():
    url, scenario = sys.argv[1], sys.argv[2]
    ctx = None
    if "--ca" in sys.argv:
        ctx = ssl.create_default_context(cafile=sys.argv[sys.argv.index("--ca") + 1])
    if scenario == "reject":
        try:
            async with connect(url, ssl=ctx, open_timeout=10):
                out(event="accepted")
        except websockets.InvalidStatus as e:
            r = e.response
            out(event="rejected", status=r.status_code, dg_error=r.headers.get("dg-error"),
                body=r.body.decode("utf-8", "replace"))
        print("DONE", flush=True)
        return
    # The default compression setting offers permessage-deflate: the server must decline it.
    async with connect(url, ssl=ctx, open_timeout=10, max_size=64 << 20, ping_interval=None,
                       additional_headers={"X-Test": "yes"}) as ws:
        out(event="extensions", value=ws.response.headers.get("Sec-WebSocket-Extensions"))
        out(event="open", request_id=ws.response.headers.get("dg-request-id"))
        if scenario == "echo":
            for size in (0, 1, 125, 126, 65535, 65536, 1 << 20):
                data = os.urandom(size)
                await ws.send(data)
                got = await ws.recv()
                if got != data:
                    print(f"FAIL binary echo of {size} bytes differs", flush=True); sys.exit(1)
                text = "é" * (size // 2)
                await ws.send(text)
                got = await ws.recv()
                if got != text:
                    print(f"FAIL text echo of {size} bytes differs", flush=True); sys.exit(1)
                out(event="echo", size=size)
        elif scenario == "fragmented":
            parts = ["héllo ", "wörld ", "", "✓"]
            await ws.send(parts)
            got = await ws.recv()
            out(event="echo", kind="text", ok=got == "".join(parts))
            bparts = [os.urandom(1000) for _ in range(5)]
            await ws.send(bparts)
            got = await ws.recv()
            out(event="echo", kind="binary", ok=got == b"".join(bparts))
        elif scenario == "ping":
            waiter = await ws.ping(b"py-ping")
            latency = await asyncio.wait_for(waiter, 10)
            out(event="pong", ok=True)
        elif scenario == "close":
            await ws.close(4001, "bye from python")
            out(event="closed", code=ws.close_code, reason=ws.close_reason)
        elif scenario == "half-close":
            await ws.send("one")
            await ws.send(b"two")
            ws.transport.write_eof()
            t0 = asyncio.get_running_loop().time()
            got = []
            try:
                while True:
                    got.append(await asyncio.wait_for(ws.recv(), 30))
            except websockets.ConnectionClosed:
                pass
            out(event="half-closed", echoes=[g if isinstance(g, str) else g.decode() for g in got],
                ended_after=asyncio.get_running_loop().time() - t0)
            print("DONE", flush=True)
            os._exit(0)   # leaving `async with` would try to send a close frame on the shut side
        elif scenario == "server-close":
            await ws.send("close-me")
            try:
                await asyncio.wait_for(ws.recv(), 10)
            except websockets.ConnectionClosed:
                pass
            out(event="closed", code=ws.close_code, reason=ws.close_reason)
    print("DONE", flush=True)


if __name__ == "__main__":
    try:
        asyncio.run(asyncio.wait_for(main(), 60))
    except Exception as e:
        print(f"FAIL {type(e).__name__}: {e}", flush=True)
        sys.exit(1)
