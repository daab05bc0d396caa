#!/usr/bin/env python3
"""Headline-benchmark peer: the official Deepgram Python SDK, 3.x API (`listen.websocket.v("1")`,
run with .venv-dg3 = deepgram-sdk 3.11), streaming a 16 kHz linear16 WAV to a Deepgram-protocol
endpoint, printing every final transcript on stdout as it arrives (one write per line, flushed:
what a caption program shows).

Usage: sdk_v3_client.py BASE_URL WAV SPEED API_KEY [CHUNK_MS]    (SPEED 0: as fast as possible)
Sends CHUNK_MS chunks (default 50, like captty), then finish() (CloseStream) after waiting for the server's
close, and exits. Writes "connecting" on stderr right before connecting (the harness takes the
start-up CPU there).
"""
import sys
import threading
import time
import wave

from deepgram import DeepgramClient, DeepgramClientOptions, LiveOptions, LiveTranscriptionEvents

base, wav_path, speed, key = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
chunk_ms = int(sys.argv[5]) if len(sys.argv) > 5 else 50
with wave.open(wav_path, "rb") as w:
    rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
    frames = w.readframes(w.getnframes())

closed = threading.Event()
out = sys.stdout


def on_transcript(_client, result, **kwargs):
    if result.is_final:
        t = result.channel.alternatives[0].transcript
        if t:
            out.write(t + "\n")
            out.flush()


def on_close(_client, close, **kwargs):
    closed.set()


def on_error(_client, error, **kwargs):
    sys.stderr.write("error: %s\n" % error)


sys.stderr.write("connecting\n")
sys.stderr.flush()
dg = DeepgramClient(key, DeepgramClientOptions(url=base))
conn = dg.listen.websocket.v("1")
conn.on(LiveTranscriptionEvents.Transcript, on_transcript)
conn.on(LiveTranscriptionEvents.Close, on_close)
conn.on(LiveTranscriptionEvents.Error, on_error)
options = LiveOptions(model="nova-3", encoding="linear16", sample_rate=rate, channels=channels,
                      interim_results=True, utterance_end_ms="1000", vad_events=True, punctuate=True,
                      smart_format=True)
if not conn.start(options):
    sys.exit("start() failed")
chunk = rate * chunk_ms // 1000 * width * channels
bps = rate * width * channels
start = time.monotonic()
for i in range(0, len(frames), chunk):
    conn.send(frames[i:i + chunk])
    if speed > 0:
        time.sleep(max(0.0, start + (i + chunk) / bps / speed - time.monotonic()))
# finish() sends CloseStream and sleeps 0.5 s; results after that may be lost, so send
# CloseStream ourselves and wait (bounded) for the server's close first.
conn.send('{"type":"CloseStream"}')
closed.wait(30)
conn.finish()
