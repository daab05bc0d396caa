#!/usr/bin/env python3
"""Clients of `captty serve` that try to make it hold resources; prints one `RESULT <json>` line.

Usage: serve_resource_probe.py MODE URL [ARGS...]   (the server must not require a key)
  flood URL N SERVER_PID     open N TCP connections that send half a request line and stall;
                             while they are held, report the server's most threads, then whether
                             a normal upgrade still works once they are gone
  slowloris URL N            hold N TCP connections that send half a request line and stall;
                             a second later, while they are still held, open normal streams
                             three times; report each one's status and seconds to the 101, and
                             how many stalled connections the server had closed by then
  never-read URL SECONDS     a client that sends Finalize after Finalize and never reads (tiny
                             receive buffer); report when its sends first stalled and when the
                             server cut the connection (null if it never did within SECONDS)
  big-audio URL N BYTES      send N messages of BYTES bytes of mu-law silence (8000 bytes a second)
                             then CloseStream, answering pings; report the message types, the
                             close and the Metadata duration
  flood-after-close URL SERVER_PID
                             send nothing until the server closes the idle stream, then do not
                             answer its close but stream 16 MB messages through its close timeout;
                             report how much the server's peak memory grew meanwhile
  vanish URL N SERVER_PID    send up to N such messages, then reset the connection; report the
                             server's CPU seconds in the 5 s that follow
"""
import asyncio
import base64
import json
import os
import socket
import struct
import sys
import time
import urllib.parse

import websockets

import wsframe


def result(obj):
    print("RESULT " + json.dumps(obj), flush=True)


def upgrade_bytes(url):
    u = urllib.parse.urlsplit(url)
    key = base64.b64encode(os.urandom(16)).decode()
    return (f"GET {u.path}{'?' + u.query if u.query else ''} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\n\r\n").encode()


def mask_frame(opcode, payload):
    return wsframe.mask_frame(opcode, payload, zero_mask=True)


def open_stream(url, rcvbuf=None, timeout=30):
    u = urllib.parse.urlsplit(url)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)   # before connect: sets the window
    s.settimeout(timeout)
    s.connect((u.hostname, u.port))
    s.sendall(upgrade_bytes(url))
    head = b""
    while b"\r\n\r\n" not in head:
        c = s.recv(1)   # byte by byte: leave the frames that follow in the socket
        if not c:
            raise RuntimeError("closed during the upgrade")
        head += c
    if not head.startswith(b"HTTP/1.1 101"):
        raise RuntimeError("upgrade refused: " + head.decode("latin-1").split("\r\n")[0])
    return s


def threads_of(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return -1


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stalled_connections(url, n, every_tenth=lambda: None):
    """N TCP connections that send half a request line and stall (those refused are left out)."""
    u = urllib.parse.urlsplit(url)
    socks = []
    for i in range(n):
        try:
            s = socket.create_connection((u.hostname, u.port), timeout=5)
            s.send(b"GET /v1/listen HTTP/1.1\r\nHo")
            socks.append(s)
        except OSError:
            pass
        if i % 10 == 0:
            every_tenth()
    return socks


def flood(url, n, pid):
    most = threads_of(pid)

    def sample():
        nonlocal most
        most = max(most, threads_of(pid))

    socks = stalled_connections(url, n, sample)
    t0 = time.monotonic()
    while time.monotonic() - t0 < 2:
        most = max(most, threads_of(pid))
        time.sleep(0.1)
    for s in socks:
        s.close()
    status = None
    t0 = time.monotonic()
    while time.monotonic() - t0 < 30 and status != 101:
        try:
            open_stream(url).close()
            status = 101
        except (OSError, RuntimeError) as e:
            status = str(e)
            time.sleep(0.5)
    result({"opened": len(socks), "most_threads": most, "after": status, "server_alive": os.path.exists(f"/proc/{pid}")})


def slowloris(url, n):
    socks = stalled_connections(url, n)
    time.sleep(1.0)
    tries = []
    for _ in range(3):
        t0 = time.monotonic()
        try:
            open_stream(url, timeout=15).close()
            tries.append({"status": 101, "seconds": round(time.monotonic() - t0, 3)})
        except (OSError, RuntimeError) as e:
            tries.append({"status": str(e), "seconds": round(time.monotonic() - t0, 3)})
    time.sleep(0.5)   # an evicted connection's thread notices within 100 ms
    closed = 0
    for s in socks:
        try:
            s.setblocking(False)
            if s.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
        s.close()
    result({"held": len(socks), "tries": tries, "stalled_closed_by_server": closed})


def never_read(url, seconds):
    s = open_stream(url + "?encoding=linear16&sample_rate=16000", rcvbuf=4096)
    s.settimeout(1)
    burst = mask_frame(1, b'{"type":"Finalize"}') * 200
    t0 = time.monotonic()
    stalled, cut = None, None
    while time.monotonic() - t0 < seconds:
        try:
            s.sendall(burst)
        except socket.timeout:
            if stalled is None:
                stalled = time.monotonic() - t0
        except OSError:
            cut = time.monotonic() - t0
            break
    s.close()
    result({"stalled_after": stalled, "cut_after": cut})


async def big_audio(url, n, size):
    chunk = b"\xff" * size
    async with websockets.connect(url + "?encoding=mulaw&sample_rate=8000", max_size=None, open_timeout=20,
                                  ping_interval=None, close_timeout=10) as ws:
        for _ in range(n):
            await ws.send(chunk)
        await ws.send(json.dumps({"type": "CloseStream"}))
        msgs = []
        try:
            async for m in ws:
                msgs.append(json.loads(m))
        except websockets.exceptions.ConnectionClosed:
            pass
        meta = next((m for m in msgs if m.get("type") == "Metadata"), {})
        result({"types": [m.get("type") for m in msgs], "code": ws.close_code, "reason": ws.close_reason,
                "duration": meta.get("duration")})


def peak_kib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return -1


def flood_after_close(url, pid):
    s = open_stream(url + "?encoding=mulaw&sample_rate=8000", timeout=30)
    got = b""
    while b"\x88" not in got:   # the server's close frame (NET-0001 after its idle timeout)
        c = s.recv(4096)
        if not c:
            break
        got += c
    before = peak_kib(pid)
    frame = mask_frame(2, b"\xff" * 16_000_000)
    s.settimeout(1)
    t0, sent = time.monotonic(), 0
    while time.monotonic() - t0 < 6:
        try:
            s.sendall(frame)
            sent += 1
        except socket.timeout:
            pass
        except OSError:
            break
    s.close()
    result({"sent_messages": sent, "peak_growth_mib": (peak_kib(pid) - before) / 1024})


def vanish(url, n, pid):
    s = open_stream(url + "?encoding=mulaw&sample_rate=8000", timeout=3)
    frame = mask_frame(2, b"\xff" * 16_000_000)
    sent = 0
    try:
        for _ in range(n):
            s.sendall(frame)
            sent += 1
    except OSError:
        pass   # the server reads at the engine's pace: fine, we leave anyway
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()   # reset: the server's buffered audio has no one to go to
    time.sleep(1)
    c0 = cpu_seconds(pid)
    time.sleep(5)
    result({"sent": sent, "cpu_seconds_after": cpu_seconds(pid) - c0})


mode, url, args = sys.argv[1], sys.argv[2], sys.argv[3:]
if mode == "flood":
    flood(url, int(args[0]), int(args[1]))
elif mode == "slowloris":
    slowloris(url, int(args[0]))
elif mode == "never-read":
    never_read(url, float(args[0]))
elif mode == "big-audio":
    asyncio.run(big_audio(url, int(args[0]), int(args[1])))
elif mode == "flood-after-close":
    flood_after_close(url, int(args[0]))
elif mode == "vanish":
    vanish(url, int(args[0]), int(args[1]))
else:
    sys.exit("unknown mode " + mode)
