#!/usr/bin/env python3
"""Benchmark peer: the official Deepgram Python SDK streaming a raw audio file to a live endpoint.

Usage: sdk_client.py PORT AUDIO_FILE [CHUNK_BYTES]
Streams AUDIO_FILE (16 kHz linear16 mono) at full speed in CHUNK_BYTES chunks through
`DeepgramClient().listen.v1.connect(...)`, sends CloseStream, reads every message until the
server closes, and prints one JSON line with the CPU time (getrusage) this process spent on the
session (imports and start-up excluded) and the counts it saw.
"""
import json
import resource
import sys
import threading
import time

from deepgram import DeepgramClient
from deepgram.environment import DeepgramClientEnvironment


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main():
    port = int(sys.argv[1])
    audio = open(sys.argv[2], "rb").read()
    chunk = int(sys.argv[3]) if len(sys.argv) > 3 else 3200
    base = "127.0.0.1:%d" % port
    env = DeepgramClientEnvironment(base="http://" + base, production="ws://" + base,
                                    agent="ws://" + base, agent_rest="http://" + base)
    client = DeepgramClient(api_key="bench-key", environment=env)
    counts = {"results": 0, "finals": 0, "metadata": 0, "other": 0}
    c0, t0 = cpu(), time.monotonic()
    with client.listen.v1.connect(model="nova-3", encoding="linear16", sample_rate=16000,
                                  channels=1, interim_results="true") as socket:
        def reader():
            for msg in socket:
                kind = getattr(msg, "type", None)
                if kind == "Results":
                    counts["results"] += 1
                    if msg.is_final:
                        counts["finals"] += 1
                elif kind == "Metadata":
                    counts["metadata"] += 1
                else:
                    counts["other"] += 1
        th = threading.Thread(target=reader)
        th.start()
        for i in range(0, len(audio), chunk):
            socket.send_media(audio[i:i + chunk])
        socket.send_close_stream()
        th.join()
    c1, t1 = cpu(), time.monotonic()
    print(json.dumps({"cpu_s": c1 - c0, "wall_s": t1 - t0, "bytes": len(audio), **counts}), flush=True)


if __name__ == "__main__":
    main()
