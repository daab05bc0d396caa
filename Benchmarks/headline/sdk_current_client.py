#!/usr/bin/env python3
"""Headline-benchmark peer: the official Deepgram Python SDK, newest API (`listen.v1.connect`,
run with .venv = deepgram-sdk 7.x), streaming a 16 kHz linear16 WAV to a Deepgram-protocol
endpoint, printing every final transcript on stdout as it arrives (one write per line, flushed).

Usage: sdk_current_client.py BASE_URL WAV SPEED API_KEY [CHUNK_MS]   (SPEED 0: as fast as possible)
Sends CHUNK_MS chunks (default 50, like captty), CloseStream, reads every message until the server closes.
Writes "connecting" on stderr right before connecting.
"""
import sys
import threading
import time
import wave

from deepgram import DeepgramClient
from deepgram.environment import DeepgramClientEnvironment

base, wav_path, speed, key = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
chunk_ms = int(sys.argv[5]) if len(sys.argv) > 5 else 50
with wave.open(wav_path, "rb") as w:
    rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
    frames = w.readframes(w.getnframes())
host = base.split("://", 1)[1]
out = sys.stdout

sys.stderr.write("connecting\n")
sys.stderr.flush()
env = DeepgramClientEnvironment(base="http://" + host, production="ws://" + host,
                                agent="ws://" + host, agent_rest="http://" + host)
client = DeepgramClient(api_key=key, environment=env)
with client.listen.v1.connect(model="nova-3", encoding="linear16", sample_rate=str(rate), channels=str(channels),
                              interim_results="true", utterance_end_ms="1000", vad_events="true",
                              punctuate="true", smart_format="true") as socket:
    def reader():
        for msg in socket:
            if getattr(msg, "type", None) == "Results" and msg.is_final:
                t = msg.channel.alternatives[0].transcript
                if t:
                    out.write(t + "\n")
                    out.flush()
    th = threading.Thread(target=reader)
    th.start()
    chunk = rate * chunk_ms // 1000 * width * channels
    bps = rate * width * channels
    start = time.monotonic()
    for i in range(0, len(frames), chunk):
        socket.send_media(frames[i:i + chunk])
        if speed > 0:
            time.sleep(max(0.0, start + (i + chunk) / bps / speed - time.monotonic()))
    socket.send_close_stream()
    th.join(60)
