#!/usr/bin/env python3
"""Probes captty's local Deepgram-compatible server with the `websockets` library.

Usage: local_server_probe.py MODE URL [ARGS...]; prints `RESULT <json>` lines.
  upgrade URL [AUTH]        try the upgrade; report status, dg-error, dg-request-id, then close
  upgrade-subprotocols URL P1,P2   the same with the key as subprotocols (as browsers send it)
  idle URL                  connect, send nothing; report the server's close code/reason and when
  keepalive URL SECONDS     send only KeepAlive every 2 s for SECONDS; report whether still open
  stream URL FILE [SKIP]    send FILE's bytes (after SKIP header bytes) in 0.1 s-sized pieces as
                            fast as allowed, then CloseStream; report message types in order,
                            final transcripts and the close
  hold URL SECONDS          connect and keep the stream open (KeepAlive) for SECONDS, printing
                            `RESULT {"open": ...}` once connected
"""
import asyncio
import json
import sys
import time

import websockets


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
                "dg_request_id": r.headers.get("dg-request-id"), "body": r.body.decode("utf-8", "replace")})


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


async def keepalive(url, seconds):
    async with websockets.connect(url, open_timeout=20, ping_interval=None) as ws:
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds:
            await ws.send(json.dumps({"type": "KeepAlive"}))
            try:
                await asyncio.wait_for(ws.recv(), 2)
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


async def stream(url, path, skip):
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
        for i in range(0, len(data), step):
            await ws.send(data[i:i + step])
        await ws.send(json.dumps({"type": "CloseStream"}))
        await asyncio.wait_for(task, 120)
        result({"types": [m.get("type") for m in msgs],
                "finals": [m["channel"]["alternatives"][0]["transcript"] for m in msgs
                           if m.get("type") == "Results" and m.get("is_final")],
                "channel_index": sorted({tuple(m["channel_index"]) for m in msgs if m.get("type") == "Results"}),
                "metadata": next((m for m in msgs if m.get("type") == "Metadata"), None),
                "code": ws.close_code, "reason": ws.close_reason})


async def hold(url, seconds):
    async with websockets.connect(url, open_timeout=20, ping_interval=None) as ws:
        result({"open": True})
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds:
            await ws.send(json.dumps({"type": "KeepAlive"}))
            await asyncio.sleep(1)
        await ws.send(json.dumps({"type": "CloseStream"}))
        try:
            async for _ in ws:
                pass
        except websockets.exceptions.ConnectionClosed:
            pass


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
elif mode == "stream":
    asyncio.run(stream(url, args[0], int(args[1]) if len(args) > 1 else 0))
elif mode == "hold":
    asyncio.run(hold(url, float(args[0])))
else:
    sys.exit("unknown mode " + mode)
