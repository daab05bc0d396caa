#!/usr/bin/env python3
"""A Deepgram-protocol TEST DOUBLE for multichannel streams (Python `websockets`).

Usage: multichannel_double.py --kill-after-bytes N
Prints `PORT <n>` when listening. 16 kHz linear16 stereo, multichannel: a final per channel,
channel 0 every 1 s of audio and channel 1 every 3 s (channels answer at their own pace, as
Deepgram's do), `channel_index: [c, 2]`. The first connection is aborted (no close frame) once
it has received N bytes. CloseStream: a final per channel for the rest, Metadata, close 1000.
"""
import argparse
import asyncio
import json

from websockets.asyncio.server import serve

BPS = 16000 * 2 * 2


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kill-after-bytes", type=int, default=0)
    args = p.parse_args()
    connections = [0]

    async def handler(ws):
        index = connections[0]
        connections[0] += 1
        got = 0
        done = [0.0, 0.0]
        every = [1.0, 3.0]

        async def final(ch, end):
            start = done[ch]
            if end <= start:
                return
            await ws.send(json.dumps({
                "type": "Results", "channel_index": [ch, 2], "start": start, "duration": round(end - start, 6),
                "is_final": True, "speech_final": True, "from_finalize": False,
                "channel": {"alternatives": [{"transcript": "w", "confidence": 1.0,
                                              "words": [{"word": "w", "start": start, "end": end, "confidence": 1.0}]}]}}))
            done[ch] = end

        async for m in ws:
            if isinstance(m, (bytes, bytearray)):
                got += len(m)
                if index == 0 and args.kill_after_bytes and got >= args.kill_after_bytes:
                    ws.transport.abort()
                    return
                t = got / BPS
                for ch in (0, 1):
                    if t - done[ch] >= every[ch]:
                        await final(ch, round(int(t / every[ch]) * every[ch], 6))
            elif json.loads(m).get("type") == "CloseStream":
                t = got / BPS
                for ch in (0, 1):
                    await final(ch, t)
                await ws.send(json.dumps({"type": "Metadata", "request_id": "mc-double", "duration": t, "channels": 2}))
                await ws.close(1000, "")
                return

    async def run():
        async with serve(handler, "127.0.0.1", 0, ping_interval=None) as server:
            port = server.sockets[0].getsockname()[1]
            print("PORT", port, flush=True)
            await asyncio.Future()

    asyncio.run(run())


if __name__ == "__main__":
    main()
