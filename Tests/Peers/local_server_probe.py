#!/usr/bin/env python3
"""Probes captty's local Deepgram-compatible server with the `websockets` library.

Usage: local_server_probe.py MODE URL [ARGS...]; prints `RESULT <json>` lines.
  upgrade URL [AUTH]        try the upgrade; report status, dg-error, dg-request-id, then close
  upgrade-subprotocols URL P1,P2   the same with the key as subprotocols (as browsers send it)
  idle URL                  connect, send nothing; report the server's close code/reason and when
  keepalive URL SECONDS     send 0.1 s of silence, then only KeepAlive every 2 s for SECONDS; report
                            whether still open
  keepalive-only URL SECONDS  the same without the audio (Deepgram closes such a stream)
  text-audio URL SECONDS    send 0.1 s of silence as base64 in a text frame every 2 s (a client that
                            mistakes text frames for audio); report the close
  stream URL FILE [SKIP]    send FILE's bytes (after SKIP header bytes) in 0.1 s-sized pieces as
                            fast as allowed, then CloseStream; report message types in order,
                            final transcripts (also by channel), Error messages, the Metadata, the
                            SHA-256 of the bytes sent and the close
  stream-then-idle URL FILE [SKIP]   the same without CloseStream: send nothing more and report
                            what the server sends before it closes the idle stream
  hold URL SECONDS [FILE]   connect (and send FILE's bytes) and keep the stream open (KeepAlive) for
                            SECONDS, printing `RESULT {"open": ...}` once connected (and FILE sent),
                            then `CLOSED {"code": …, "reason": …}` (1006: no close frame came)
  back-to-back URL FILE SKIP N   N streams of FILE's bytes one after another, each opened the
                            moment the one before closed; report each upgrade's status
  raw URL KIND [AUTH]       a hand-made request the WebSocket layer refuses by itself (KIND: post,
                            head, http10, nohost, plain, version8, malformed, root, projects) or
                            takes (absolute: an absolute-form target); report status, headers, body
  reset-upgrades URL N      N upgrades whose TCP connection is reset right after the request is
                            sent (the client is gone before the 101); then time a normal upgrade
  half-close URL FILE SKIP QUERY   a hand-written client streams FILE, sends CloseStream, shuts
                            down its sending side (TCP half-close) and reads on; report its finals
                            and close
  same-key URL FILE1 SKIP1 QUERY1 FILE2 SKIP2 QUERY2 [SECONDS]
                            two hand-written clients at once, both sending the RFC's sample
                            Sec-WebSocket-Key, each streaming its file (SECONDS of it) with its query
                            then CloseStream; report each one's finals and close
"""
import asyncio
import base64
import hashlib
import io
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
import wave

import websockets

from wsframe import mask_frame


def result(obj):
    print("RESULT " + json.dumps(obj), flush=True)


async def upgrade(url, auth=None):
    headers = {"Authorization": auth} if auth else {}
    try:
        async with websockets.connect(url, additional_headers=headers, open_timeout=20) as ws:
            result({"status": 101, "dg_request_id": ws.response.headers.get("dg-request-id")})
    except websockets.exceptions.InvalidStatus as e:
        r = e.response
        result({"status": r.status_code, "dg_error": r.headers.get("dg-error"),
                "dg_request_id": r.headers.get("dg-request-id"), "retry_after": r.headers.get("Retry-After"),
                "body": r.body.decode("utf-8", "replace")})


async def back_to_back(url, path, skip, rounds, close_stream=True):
    """ROUNDS streams one after another, each opened the moment the previous one closed (after
    its CloseStream, or, with close_stream False, with a plain WebSocket close mid-stream):
    reports each upgrade's status."""
    data = open(path, "rb").read()[skip:]
    statuses = []
    for _ in range(rounds):
        try:
            async with websockets.connect(url, open_timeout=20, ping_interval=None, max_size=None) as ws:
                statuses.append(101)
                for i in range(0, len(data), 3200):
                    await ws.send(data[i:i + 3200])
                if not close_stream:
                    await ws.close()
                    continue
                await ws.send(json.dumps({"type": "CloseStream"}))
                try:
                    async for _m in ws:
                        pass
                except websockets.exceptions.ConnectionClosed:
                    pass
        except websockets.exceptions.InvalidStatus as e:
            statuses.append(e.response.status_code)
    result({"statuses": statuses})


async def upgrade_subprotocols(url, protocols):
    """Authenticates as a browser must: the key as subprotocols ("token", KEY)."""
    try:
        async with websockets.connect(url, subprotocols=protocols.split(","), open_timeout=20) as ws:
            result({"status": 101, "subprotocol": ws.subprotocol, "dg_request_id": ws.response.headers.get("dg-request-id")})
    except websockets.exceptions.InvalidStatus as e:
        r = e.response
        result({"status": r.status_code, "dg_error": r.headers.get("dg-error"),
                "dg_request_id": r.headers.get("dg-request-id"), "body": r.body.decode("utf-8", "replace")})
    except websockets.exceptions.InvalidHandshake as e:
        result({"status": 101, "handshake_error": str(e)})


async def idle(url):
    t0 = time.monotonic()
    async with websockets.connect(url, open_timeout=20, ping_interval=None) as ws:
        try:
            async for _ in ws:
                pass
        except websockets.exceptions.ConnectionClosed:
            pass
        result({"code": ws.close_code, "reason": ws.close_reason, "after": time.monotonic() - t0})


async def keepalive(url, seconds, audio_first=True, as_text=False):
    async with websockets.connect(url, open_timeout=20, ping_interval=None) as ws:
        t0 = time.monotonic()
        if audio_first or as_text:
            # As Deepgram asks: some audio opens the stream (0.1 s of silence, as a WAV stream
            # since the URL may give no encoding), then KeepAlive.
            buf = io.BytesIO()
            with wave.open(buf, "wb") as w:
                w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000); w.writeframes(bytes(3200))
            if not as_text:
                await ws.send(buf.getvalue())
        while time.monotonic() - t0 < seconds:
            try:
                await ws.send(base64.b64encode(buf.getvalue()).decode() if as_text else json.dumps({"type": "KeepAlive"}))
            except websockets.exceptions.ConnectionClosed:
                break
            # Wait out the second (text gets a SchemaError back at once: not a reason to send more).
            end = time.monotonic() + (1 if as_text else 2)
            try:
                while time.monotonic() < end:
                    await asyncio.wait_for(ws.recv(), max(0.01, end - time.monotonic()))
            except asyncio.TimeoutError:
                pass
            except websockets.exceptions.ConnectionClosed:
                break
        open_ = ws.close_code is None
        await ws.send(json.dumps({"type": "CloseStream"})) if open_ else None
        types = []
        try:
            async for m in ws:
                types.append(json.loads(m).get("type"))
        except websockets.exceptions.ConnectionClosed:
            pass
        result({"open_after": open_, "code": ws.close_code, "reason": ws.close_reason, "types": types})


async def bad_text(url, seconds):
    """Opens a stream with 0.1 s of audio, then sends only a misspelt KeepAlive every second:
    collects the server's Error frames and how the stream ends."""
    async with websockets.connect(url, open_timeout=20, ping_interval=None) as ws:
        t0 = time.monotonic()
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000); w.writeframes(bytes(3200))
        await ws.send(buf.getvalue())
        errors = []
        sent = '{"type":"KeepAliv"}'
        while time.monotonic() - t0 < seconds and ws.close_code is None:
            try:
                await ws.send(sent)
            except websockets.exceptions.ConnectionClosed:
                break
            end = time.monotonic() + 1
            while time.monotonic() < end:
                try:
                    m = json.loads(await asyncio.wait_for(ws.recv(), max(0.01, end - time.monotonic())))
                    if m.get("type") == "Error":
                        errors.append(m)
                except asyncio.TimeoutError:
                    break
                except websockets.exceptions.ConnectionClosed:
                    break
        result({"errors": errors, "sent": sent, "code": ws.close_code, "reason": ws.close_reason,
                "after": time.monotonic() - t0})


async def stream(url, path, skip, close_stream=True):
    data = open(path, "rb").read()[skip:]
    msgs = []
    async with websockets.connect(url, open_timeout=20, ping_interval=None, max_size=None) as ws:
        async def reader():
            try:
                async for m in ws:
                    msgs.append(json.loads(m))
            except websockets.exceptions.ConnectionClosed:
                pass
        task = asyncio.create_task(reader())
        step = 1600
        try:
            for i in range(0, len(data), step):
                await ws.send(data[i:i + step])
            if close_stream:
                await ws.send(json.dumps({"type": "CloseStream"}))
        except websockets.exceptions.ConnectionClosed:
            pass   # the server closed first (a refusal): report what it said
        await asyncio.wait_for(task, 120)
        result({"types": [m.get("type") for m in msgs],
                "finals": [m["channel"]["alternatives"][0]["transcript"] for m in msgs
                           if m.get("type") == "Results" and m.get("is_final")],
                "from_finalize": [m.get("from_finalize") for m in msgs if m.get("type") == "Results" and m.get("is_final")],
                "results_extra": [(m.get("metadata") or {}).get("extra") for m in msgs if m.get("type") == "Results"],
                "channel_index": sorted({tuple(m["channel_index"]) for m in msgs if m.get("type") == "Results"}),
                "finals_by_channel": finals_by_channel(msgs),
                "errors": [m for m in msgs if m.get("type") == "Error"],
                "metadata": next((m for m in msgs if m.get("type") == "Metadata"), None),
                "result_model_uuids": sorted({(m.get("metadata") or {}).get("model_uuid", "") for m in msgs
                                              if m.get("type") == "Results"}),
                "word_speakers": sorted({str(w.get("speaker")) for m in msgs if m.get("type") == "Results" and m.get("is_final")
                                         for w in m["channel"]["alternatives"][0].get("words", [])}),
                "sent_sha256": hashlib.sha256(data).hexdigest(),
                "code": ws.close_code, "reason": ws.close_reason})


def finals_by_channel(msgs):
    """Each channel's final transcripts, joined, keyed by its channel_index[0]."""
    out = {}
    for m in msgs:
        if m.get("type") == "Results" and m.get("is_final"):
            t = m["channel"]["alternatives"][0]["transcript"]
            c = str(m["channel_index"][0])
            out[c] = (out[c] + " " + t if out.get(c) and t else out.get(c) or t)
    return out


async def finalize_wait(url, path, skip):
    """Sends all the audio at once, then Finalize, then nothing: waits for the from_finalize
    result (the engine may need longer than the idle timeout to get there), then CloseStream."""
    data = open(path, "rb").read()[skip:]
    t0 = time.monotonic()
    answered_after = None
    types = []
    async with websockets.connect(url, open_timeout=20, ping_interval=None, max_size=None) as ws:
        for i in range(0, len(data), 3200):
            await ws.send(data[i:i + 3200])
        await ws.send(json.dumps({"type": "Finalize"}))
        sent_at = time.monotonic()
        try:
            async for m in ws:
                msg = json.loads(m)
                types.append(msg.get("type"))
                if msg.get("type") == "Results" and msg.get("from_finalize"):
                    answered_after = time.monotonic() - sent_at
                    await ws.send(json.dumps({"type": "CloseStream"}))
        except websockets.exceptions.ConnectionClosed:
            pass
        result({"answered_after": answered_after, "code": ws.close_code, "reason": ws.close_reason,
                "last": types[-1] if types else None, "total": time.monotonic() - t0})


async def hold(url, seconds, path=None):
    async with websockets.connect(url, open_timeout=20, ping_interval=None, max_size=None) as ws:
        if path:
            await ws.send(open(path, "rb").read())
        result({"open": True})
        t0 = time.monotonic()
        try:
            while time.monotonic() - t0 < seconds:
                await ws.send(json.dumps({"type": "KeepAlive"}))
                await asyncio.sleep(1)
            await ws.send(json.dumps({"type": "CloseStream"}))
            async for _ in ws:
                pass
        except websockets.exceptions.ConnectionClosed:
            pass
        # How the stream ended (the server's close frame; 1006 when there was none).
        print("CLOSED " + json.dumps({"code": ws.close_code, "reason": ws.close_reason,
                                      "after": round(time.monotonic() - t0, 2)}), flush=True)


def raw_upgrade_lines(url, key, method="GET", version="HTTP/1.1", host=True, extra=(), auth=None):
    u = urllib.parse.urlsplit(url)
    lines = [f"{method} {u.path}{'?' + u.query if u.query else ''} {version}"]
    if host:
        lines.append(f"Host: {u.hostname}:{u.port}")
    lines += ["Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    if auth:
        lines.append(f"Authorization: {auth}")
    return list(lines) + list(extra)


def raw_exchange(url, payload, timeout=10):
    """Sends bytes, returns (status, headers, body) of the HTTP answer (read until close)."""
    u = urllib.parse.urlsplit(url)
    s = socket.create_connection((u.hostname, u.port), timeout=timeout)
    s.sendall(payload)
    data = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            data += c
            if data.startswith(b"HTTP/1.1 101") and b"\r\n\r\n" in data:
                break
    except OSError:
        pass
    s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1]) if lines and lines[0].startswith("HTTP/") else None
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers.setdefault(k.strip().lower(), v.strip())
    return status, headers, body.decode("utf-8", "replace")


def raw(url, kind, auth=None):
    key = base64.b64encode(os.urandom(16)).decode()
    requests = {
        "post": raw_upgrade_lines(url, key, method="POST", auth=auth),
        "head": raw_upgrade_lines(url, key, method="HEAD", auth=auth),
        "http10": raw_upgrade_lines(url, key, version="HTTP/1.0", auth=auth),
        "nohost": raw_upgrade_lines(url, key, host=False, auth=auth),
        "plain": [raw_upgrade_lines(url, key)[0], "Host: x"] + ([f"Authorization: {auth}"] if auth else []),
        "version8": [line.replace("Version: 13", "Version: 8") for line in raw_upgrade_lines(url, key, auth=auth)],
        "malformed": [raw_upgrade_lines(url, key)[0], "Host x y"],
        # Paths this server does not serve, without an upgrade: 404, not "WebSocket only".
        "root": ["GET / HTTP/1.1", "Host: x"],
        "projects": ["POST /v1/projects HTTP/1.1", "Host: x", "Content-Length: 0"],
        # The absolute form of the request target (RFC 9112 3.2.2), as proxies send it.
        "absolute": [raw_upgrade_lines(url, key, auth=auth)[0].replace(" /", " http://%s:%d/" % (
            urllib.parse.urlsplit(url).hostname, urllib.parse.urlsplit(url).port), 1)] + raw_upgrade_lines(url, key, auth=auth)[1:],
    }
    status, headers, body = raw_exchange(url, ("\r\n".join(requests[kind]) + "\r\n\r\n").encode())
    result({"status": status, "headers": headers, "body": body})


def reset_upgrades(url, n):
    u = urllib.parse.urlsplit(url)
    for _ in range(n):
        s = socket.create_connection((u.hostname, u.port))
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall(("\r\n".join(raw_upgrade_lines(url, key)) + "\r\n\r\n").encode())
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()   # RST: the server's 101 finds no one
    t0 = time.monotonic()
    status = None
    while time.monotonic() - t0 < 40:
        status, _, _ = raw_exchange(url, ("\r\n".join(raw_upgrade_lines(url, base64.b64encode(os.urandom(16)).decode()))
                                          + "\r\n\r\n").encode())
        if status == 101:
            break
        time.sleep(0.25)
    result({"status": status, "admitted_after": time.monotonic() - t0})


class FrameReader:
    def __init__(self, sock, rest):
        self.sock, self.buf = sock, rest

    def take(self, n):
        while len(self.buf) < n:
            c = self.sock.recv(65536)
            if not c:
                raise EOFError
            self.buf += c
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self):
        b0, b1 = self.take(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack(">H", self.take(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self.take(8))[0]
        return b0 & 0x0F, self.take(n)


def same_key(url, specs, seconds, half_close=False, key="dGhlIHNhbXBsZSBub25jZQ=="):
    """Each spec: (file, skip, query, bytes_per_second). The default key is RFC 6455's sample
    key, as hand-written clients copy it. half_close: shut down the sending side of TCP right
    after CloseStream (as `nc -N` or a script's `shutdown(SHUT_WR)` does) and read on."""
    u = urllib.parse.urlsplit(url)
    socks = []
    for _, _, query, _ in specs:
        s = socket.create_connection((u.hostname, u.port), timeout=60)
        s.sendall(("\r\n".join(raw_upgrade_lines(url + query, key)) + "\r\n\r\n").encode())
        socks.append(s)
    out = [None] * len(specs)

    def run(i):
        s, (path, skip, _, bps) = socks[i], specs[i]
        data = open(path, "rb").read()[skip:][:int(bps * seconds)]
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += s.recv(4096)
        head, rest = buf.split(b"\r\n\r\n", 1)
        status = int(head.split(b" ")[1])
        finals, types, code, reason = [], [], None, ""
        if status == 101:
            for j in range(0, len(data), 3200):
                s.sendall(mask_frame(2, data[j:j + 3200]))
            s.sendall(mask_frame(1, b'{"type":"CloseStream"}'))
            if half_close:
                s.shutdown(socket.SHUT_WR)
            r = FrameReader(s, rest)
            try:
                while True:
                    op, p = r.frame()
                    if op == 9 and not half_close:
                        s.sendall(mask_frame(10, p))   # the server's heartbeat wants its pong
                    if op == 8:
                        code = struct.unpack(">H", p[:2])[0] if len(p) >= 2 else 1005
                        reason = p[2:].decode("utf-8", "replace")
                        break
                    if op == 1:
                        m = json.loads(p)
                        types.append(m.get("type"))
                        if m.get("type") == "Results" and m.get("is_final"):
                            finals.append(m["channel"]["alternatives"][0]["transcript"])
            except (EOFError, OSError) as e:
                reason = repr(e)
        out[i] = {"status": status, "finals": finals, "types": types, "code": code, "reason": reason}

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(specs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    result({"streams": out})


mode, url = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
if mode == "upgrade":
    asyncio.run(upgrade(url, args[0] if args else None))
elif mode == "upgrade-subprotocols":
    asyncio.run(upgrade_subprotocols(url, args[0]))
elif mode == "idle":
    asyncio.run(idle(url))
elif mode == "keepalive":
    asyncio.run(keepalive(url, float(args[0])))
elif mode == "keepalive-only":
    asyncio.run(keepalive(url, float(args[0]), audio_first=False))
elif mode == "text-audio":
    asyncio.run(keepalive(url, float(args[0]), audio_first=False, as_text=True))
elif mode == "bad-text":
    asyncio.run(bad_text(url, float(args[0])))
elif mode == "stream":
    asyncio.run(stream(url, args[0], int(args[1]) if len(args) > 1 else 0))
elif mode == "stream-then-idle":
    asyncio.run(stream(url, args[0], int(args[1]) if len(args) > 1 else 0, close_stream=False))
elif mode == "finalize-wait":
    asyncio.run(finalize_wait(url, args[0], int(args[1]) if len(args) > 1 else 0))
elif mode == "hold":
    asyncio.run(hold(url, float(args[0]), args[1] if len(args) > 1 else None))
elif mode == "back-to-back":
    asyncio.run(back_to_back(url, args[0], int(args[1]), int(args[2]), close_stream=len(args) < 4 or args[3] != "plain-close"))
elif mode == "raw":
    raw(url, args[0], args[1] if len(args) > 1 else None)
elif mode == "reset-upgrades":
    reset_upgrades(url, int(args[0]))
elif mode in ("same-key", "half-close"):
    def rate(q):
        qs = urllib.parse.parse_qs(q.lstrip("?"))
        width = 1 if qs.get("encoding", ["linear16"])[0] in ("mulaw", "alaw") else 2
        return int(qs.get("sample_rate", ["16000"])[0]) * width
    if mode == "half-close":
        same_key(url, [(args[0], int(args[1]), args[2], rate(args[2]))], 3600, half_close=True,
                 key=base64.b64encode(os.urandom(16)).decode())
        sys.exit(0)
    same_key(url, [(args[0], int(args[1]), args[2], rate(args[2])), (args[3], int(args[4]), args[5], rate(args[5]))],
             float(args[6]) if len(args) > 6 else 8)
else:
    sys.exit("unknown mode " + mode)
