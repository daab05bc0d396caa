#!/usr/bin/env python3
"""Echo server for captty's WebSocket tests, built on the `websockets` library (an independent peer).

Prints `PORT <n>` once listening (port 0 = ephemeral). Echoes every message back unchanged,
except text commands starting with `cmd:`:
  cmd:fragments:<kind>:<count>:<size>   send a <kind> (text|binary) message as <count> fragments of <size> bytes
  cmd:fragments-ping:<count>:<size>     the same (binary) with a ping sent between fragments, then
                                        a text message `pongs:<n>` with how many pings were answered
  cmd:flood:<count>:<size>              send <count> binary messages of <size> bytes as fast as the client reads
  cmd:abort                             drop the TCP connection without any close frame
  cmd:close:<code>:<reason>             close the connection with that code and reason
  cmd:frames                            reply with JSON counts of the frames received so far (by opcode)
  cmd:headers                           reply with the upgrade request headers as JSON
When a connection closes it prints `CLOSED <code> <reason>` (the close frame the client sent).
Options: --tls CERT KEY, --host, --max-size, --hang-upgrade (read the upgrade request, never answer),
--require-client-cert CA (mutual TLS: a client certificate signed by CA is required),
--tls-max 1.1|1.2 (the newest TLS version offered; 1.1 also allows legacy ciphers).
"""
import argparse, asyncio, json, ssl, sys
import websockets
from websockets.asyncio.server import serve
import websockets.protocol as wsproto

# Count received frames per connection by wrapping the library's frame handler (the parsing
# and reassembly are still the library's own).
_orig_recv_frame = wsproto.Protocol.recv_frame
def _counting_recv_frame(self, frame):
    counts = getattr(self, "_captty_counts", None)
    if counts is None:
        counts = self._captty_counts = {}
    name = frame.opcode.name
    counts[name] = counts.get(name, 0) + 1
    return _orig_recv_frame(self, frame)
wsproto.Protocol.recv_frame = _counting_recv_frame


async def handler(ws):
    try:
        async for msg in ws:
            if isinstance(msg, str) and msg.startswith("cmd:"):
                parts = msg.split(":", 4)
                cmd = parts[1]
                if cmd == "fragments":
                    kind, count, size = parts[2], int(parts[3]), int(parts[4])
                    if kind == "text":
                        frags = [chr(ord("a") + i % 26) * size for i in range(count)]
                    else:
                        frags = [bytes([i % 256]) * size for i in range(count)]
                    await ws.send(frags)
                elif cmd == "fragments-ping":
                    count, size = int(parts[2]), int(parts[3])
                    waiters = []
                    async def gen():
                        for i in range(count):
                            yield bytes([i % 256]) * size
                            waiters.append(await ws.ping(b"mid-%d" % i))
                    await ws.send(gen())
                    # Then report how many of those pings the client answered with a pong.
                    try:
                        await asyncio.wait_for(asyncio.gather(*waiters), 10)
                    except asyncio.TimeoutError:
                        pass
                    await ws.send("pongs:%d" % sum(1 for w in waiters if w.done() and not w.cancelled()))
                elif cmd == "flood":
                    count, size = int(parts[2]), int(parts[3])
                    for i in range(count):
                        await ws.send(bytes([i % 256]) * size)
                    print(f"FLOODED {count}", flush=True)
                elif cmd == "abort":
                    ws.transport.abort()  # drop TCP at once: no close frame, no TLS close_notify
                    break
                elif cmd == "close":
                    await ws.close(int(parts[2]), parts[3] if len(parts) > 3 else "")
                    break
                elif cmd == "frames":
                    await ws.send(json.dumps(getattr(ws.protocol, "_captty_counts", {})))
                elif cmd == "headers":
                    await ws.send(json.dumps(dict(ws.request.headers.raw_items())))
                else:
                    await ws.send("unknown command")
            else:
                await ws.send(msg)
    except websockets.ConnectionClosed:
        pass
    rcvd = ws.protocol.close_rcvd
    code = rcvd.code if rcvd is not None else "none"
    reason = rcvd.reason if rcvd is not None else ""
    print(f"CLOSED {code} {reason}", flush=True)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--max-size", type=int, default=64 << 20)
    ap.add_argument("--hang-upgrade", action="store_true")
    ap.add_argument("--require-client-cert", metavar="CA")
    ap.add_argument("--tls-max", choices=["1.1", "1.2"])
    a = ap.parse_args()

    async def hang(connection, request):
        await asyncio.sleep(120)   # the TLS handshake is done; the HTTP answer never comes

    ctx = None
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        if a.require_client_cert:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(a.require_client_cert)
        if a.tls_max == "1.1":
            ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.maximum_version = ssl.TLSVersion.TLSv1_1
            ctx.set_ciphers("ALL:@SECLEVEL=0")
        elif a.tls_max == "1.2":
            ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    async with serve(handler, a.host, a.port, ssl=ctx, max_size=a.max_size, ping_interval=None,
                     compression=None, write_limit=1 << 20, process_request=hang if a.hang_upgrade else None,
                     open_timeout=None) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"PORT {port}", flush=True)
        # Exit when the test closes our stdin (or kills us).
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
