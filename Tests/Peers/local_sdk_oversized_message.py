#!/usr/bin/env python3
"""The official Deepgram Python SDK (current major) sending one audio message larger than the
server's limit to captty's Deepgram-compatible server, then CloseStream.

Usage: local_sdk_oversized_message.py WS_BASE_URL API_KEY BYTES
Prints one line `RESULT {"code": …, "reason": …}` with the close code and reason the SDK saw
(code 0 and an empty reason when the connection ended without a close frame), and exits 0.
"""
import json
import sys
import threading

from deepgram import DeepgramClient
from deepgram.core.events import EventType
from deepgram.environment import DeepgramClientEnvironment

base, key, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
env = DeepgramClientEnvironment(base=base.replace("ws", "http", 1), production=base, agent=base, agent_rest=base)
client = DeepgramClient(api_key=key, environment=env)
seen = []
closed = threading.Event()


def remember(error):
    # websockets' ConnectionClosed carries the close frame received (rcvd), None when none came.
    rcvd = getattr(error, "rcvd", None)
    if rcvd is not None:
        seen.append((rcvd.code, rcvd.reason))


try:
    with client.listen.v1.connect(model="nova-3", encoding="linear16", sample_rate="16000") as sock:
        sock.on(EventType.ERROR, remember)
        sock.on(EventType.CLOSE, lambda _: closed.set())
        listener = threading.Thread(target=sock.start_listening, daemon=True)
        listener.start()
        try:
            sock.send_media(b"\0" * size)
            sock.send_close_stream()
        except Exception as e:  # the send itself can meet the close
            remember(e)
        closed.wait(10)
        listener.join(3)
except Exception as e:
    remember(e)
code, reason = seen[0] if seen else (0, "")
print("RESULT " + json.dumps({"code": code, "reason": reason}), flush=True)
