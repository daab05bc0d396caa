#!/usr/bin/env python3
"""Probes `captty serve`'s limits with the official `websockets` client.

Usage: security_ws_probe.py MODE URL AUTH [ARGS...]; prints one `RESULT <json>` line.
  oversize URL AUTH BYTES   send one binary message of BYTES bytes; report the server's close code/reason
  many URL AUTH N           open N streams one after another and keep them open; report each
                            upgrade's status and dg-error, then close them all
AUTH is the Authorization header value, or "-" for none.
"""
import asyncio
import json
import sys

import websockets


def result(obj):
    print("RESULT " + json.dumps(obj), flush=True)


def headers(auth):
    return {} if auth == "-" else {"Authorization": auth}


async def oversize(url, auth, n):
    async with websockets.connect(url, additional_headers=headers(auth), open_timeout=20,
                                  ping_interval=None, max_size=None, close_timeout=20) as ws:
        try:
            await ws.send(b"\0" * n)
            async for _ in ws:
                pass
        except websockets.exceptions.ConnectionClosed:
            pass
        try:
            await asyncio.wait_for(ws.wait_closed(), 30)
        except asyncio.TimeoutError:
            pass
        rcvd = ws.protocol.close_rcvd
        result({"code": rcvd.code if rcvd else ws.close_code, "reason": rcvd.reason if rcvd else ws.close_reason})


async def many(url, auth, n):
    opened, out = [], []
    for _ in range(n):
        try:
            ws = await websockets.connect(url, additional_headers=headers(auth), open_timeout=20, ping_interval=None)
            opened.append(ws)
            out.append({"status": 101})
        except websockets.exceptions.InvalidStatus as e:
            r = e.response
            out.append({"status": r.status_code, "dg_error": r.headers.get("dg-error"),
                        "dg_request_id": r.headers.get("dg-request-id")})
    for ws in opened:
        await ws.close()
    result({"streams": out})


mode, url, auth = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "oversize":
    asyncio.run(oversize(url, auth, int(sys.argv[4])))
elif mode == "many":
    asyncio.run(many(url, auth, int(sys.argv[4])))
else:
    sys.exit("unknown mode " + mode)
