#!/usr/bin/env python3
"""Loopback TCP proxy for captty's load and fault tests (a fault injector, not a server).

Sits between a WebSocket client (captty, the official Deepgram SDK) and a Deepgram-protocol
server (`captty serve` or the Deepgram test double) and forwards bytes both ways. It parses the
server->client WebSocket frames (unmasked, RFC 6455) so it can:
- log every text frame with the wall-clock time (time.time()) it was written to the client:
  --send-log FILE gets one JSON line {"t": ..., "conn": n, "type": ..., "final": bool,
  "speech_final": bool, "text": transcript} per frame (the "frame left the server" stamp for the
  frame-to-screen latency; the proxy hop itself is measured as tens of microseconds);
- delay every server->client frame by --delay-ms (a slow server);
- inject hostile frames between two real frames (commands below).
Commands, one per line on stdin (or --commands FIFO):
  stall              stop forwarding in both directions (TCP stays open: a dead network)
  resume             forward again (what was held back is delivered)
  drop               abort every proxied connection (RST)
  inject-text TEXT   send TEXT as a text frame to every client
  inject-binary N    send an N-byte binary frame to every client
  inject-big-text N  send an N-byte text frame (valid JSON padding) to every client
  quit               exit
Prints `PORT <n>` when listening and `OK <command>` after each command. Stops on SIGTERM or EOF
on stdin (unless --no-stdin-watch).
"""
import argparse
import asyncio
import json
import os
import signal
import struct
import sys
import time


def ws_frame(opcode, payload):
    n = len(payload)
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack(">H", n)
    else:
        head += bytes([127]) + struct.pack(">Q", n)
    return head + payload


class Proxy:
    def __init__(self, args):
        self.args = args
        self.stalled = asyncio.Event()
        self.stalled.set()          # set = forwarding
        self.conns = []             # (client_writer, upstream_writer, injector queue)
        self.count = 0
        self.log = open(args.send_log, "a", buffering=1) if args.send_log else None
        self.stats = {"connections": 0, "c2s_bytes": 0, "s2c_frames": 0, "injected": 0}

    async def handle(self, creader, cwriter):
        idx = self.count
        self.count += 1
        self.stats["connections"] += 1
        try:
            ureader, uwriter = await asyncio.open_connection("127.0.0.1", self.args.upstream)
        except OSError:
            cwriter.transport.abort()
            return
        q = asyncio.Queue()
        entry = (cwriter, uwriter, q)
        self.conns.append(entry)

        async def c2s():
            try:
                while True:
                    data = await creader.read(65536)
                    if not data:
                        break
                    await self.stalled.wait()
                    self.stats["c2s_bytes"] += len(data)
                    uwriter.write(data)
                    await uwriter.drain()
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                try:
                    uwriter.close()
                except Exception:
                    pass

        async def s2c():
            buf = bytearray()
            head_done = False
            try:
                while True:
                    data = await ureader.read(65536)
                    if not data:
                        break
                    buf += data
                    if not head_done:
                        end = buf.find(b"\r\n\r\n")
                        if end < 0:
                            continue
                        await self.stalled.wait()
                        cwriter.write(bytes(buf[:end + 4]))
                        await cwriter.drain()
                        del buf[:end + 4]
                        head_done = True
                    while True:
                        frame = self.split(buf)
                        if frame is None:
                            break
                        raw, opcode, payload = frame
                        while not q.empty():
                            cwriter.write(q.get_nowait())
                            self.stats["injected"] += 1
                        if self.args.delay_ms:
                            await asyncio.sleep(self.args.delay_ms / 1000)
                        await self.stalled.wait()
                        cwriter.write(raw)
                        await cwriter.drain()
                        self.stats["s2c_frames"] += 1
                        if opcode == 1 and self.log:
                            self.record(idx, payload)
            except (OSError, asyncio.CancelledError):
                pass
            finally:
                try:
                    cwriter.close()
                except Exception:
                    pass

        t1 = asyncio.create_task(c2s())
        t2 = asyncio.create_task(s2c())
        await asyncio.wait([t1, t2], return_when=asyncio.FIRST_COMPLETED)
        # Let the other direction finish delivering what it has, briefly.
        await asyncio.wait([t1, t2], timeout=2)
        for t in (t1, t2):
            t.cancel()
        if entry in self.conns:
            self.conns.remove(entry)

    @staticmethod
    def split(buf):
        if len(buf) < 2:
            return None
        opcode = buf[0] & 0x0F
        n = buf[1] & 0x7F
        off = 2
        if n == 126:
            if len(buf) < 4:
                return None
            n = struct.unpack_from(">H", buf, 2)[0]
            off = 4
        elif n == 127:
            if len(buf) < 10:
                return None
            n = struct.unpack_from(">Q", buf, 2)[0]
            off = 10
        if buf[1] & 0x80:
            off += 4  # a masked server frame is a protocol error; forward it as it is
        if len(buf) < off + n:
            return None
        raw = bytes(buf[:off + n])
        payload = raw[off:]
        del buf[:off + n]
        return raw, opcode, payload

    def record(self, idx, payload):
        t = time.time()
        entry = {"t": t, "conn": idx}
        try:
            msg = json.loads(payload)
            entry["type"] = msg.get("type")
            if msg.get("type") == "Results":
                entry["final"] = bool(msg.get("is_final"))
                entry["speech_final"] = bool(msg.get("speech_final"))
                alts = msg.get("channel", {}).get("alternatives", [])
                entry["text"] = alts[0].get("transcript", "") if alts else ""
        except ValueError:
            entry["type"] = "?"
        self.log.write(json.dumps(entry) + "\n")

    def command(self, line):
        cmd, _, arg = line.strip().partition(" ")
        if cmd == "stall":
            self.stalled.clear()
        elif cmd == "resume":
            self.stalled.set()
        elif cmd == "drop":
            for c, u, _ in list(self.conns):
                c.transport.abort()
                u.transport.abort()
        elif cmd == "inject-text":
            for _, _, q in self.conns:
                q.put_nowait(ws_frame(1, arg.encode()))
        elif cmd == "inject-binary":
            for _, _, q in self.conns:
                q.put_nowait(ws_frame(2, os.urandom(int(arg))))
        elif cmd == "inject-big-text":
            n = int(arg)
            body = b'{"type":"Padding","pad":"' + b"x" * max(0, n - 27) + b'"}'
            for _, _, q in self.conns:
                q.put_nowait(ws_frame(1, body))
        elif cmd == "stats":
            print("STATS " + json.dumps(self.stats), flush=True)
            return True
        elif cmd == "quit":
            return False
        elif cmd:
            print("ERR unknown command %r" % cmd, flush=True)
            return True
        print("OK " + cmd + " conns=%d" % len(self.conns), flush=True)
        return True


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--upstream", type=int, required=True, help="server port on 127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--send-log")
    p.add_argument("--delay-ms", type=float, default=0)
    p.add_argument("--no-stdin-watch", action="store_true")
    args = p.parse_args()

    async def run():
        proxy = Proxy(args)
        loop = asyncio.get_running_loop()
        stop = loop.create_future()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
        server = await asyncio.start_server(proxy.handle, "127.0.0.1", args.port)
        print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
        if not args.no_stdin_watch:
            reader = asyncio.StreamReader()
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

            async def commands():
                while True:
                    line = await reader.readline()
                    if not line or not proxy.command(line.decode()):
                        stop.done() or stop.set_result(None)
                        return
            asyncio.create_task(commands())
        await stop
        os._exit(0)
    asyncio.run(run())


if __name__ == "__main__":
    main()
