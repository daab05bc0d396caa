#!/usr/bin/env python3
"""The official Deepgram Python SDK, 3.x API (`listen.websocket.v("1")`, `LiveOptions`,
`LiveTranscriptionEvents`), streaming a WAV file in real time to captty's local server.

Usage: local_sdk_v3_client.py HTTP_BASE_URL WAV_FILE API_KEY   (run with a venv holding deepgram-sdk<4)
Prints one `SUMMARY <json>` line; exits 0 when the SDK reported no error.
Sends KeepAlive mid-stream, Finalize after the audio, then finish() (CloseStream).
"""
import json
import sys
import threading
import time
import wave

from deepgram import (DeepgramClient, DeepgramClientOptions, LiveOptions,
                      LiveTranscriptionEvents)

base, wav_path, key = sys.argv[1], sys.argv[2], sys.argv[3]
dg = DeepgramClient(key, DeepgramClientOptions(url=base))
conn = dg.listen.websocket.v("1")

summary = {"results": 0, "finals": 0, "speech_finals": 0, "from_finalize": 0, "utterance_ends": 0,
           "speech_started": 0, "metadata": 0, "opened": False, "closed": False, "errors": [],
           "unhandled": [], "transcript": "", "metadata_request_id": None, "request_ids": []}
lock = threading.Lock()
finalized = threading.Event()
metadata_seen = threading.Event()


def on_open(_client, _open, **kwargs):
    summary["opened"] = True


def on_transcript(_client, result, **kwargs):
    with lock:
        summary["results"] += 1
        summary["request_ids"].append(result.metadata.request_id)
        if result.is_final:
            summary["finals"] += 1
            t = result.channel.alternatives[0].transcript
            if t:
                summary["transcript"] += (" " if summary["transcript"] else "") + t
        if result.speech_final:
            summary["speech_finals"] += 1
        if result.from_finalize:
            summary["from_finalize"] += 1
            finalized.set()


def on_utterance_end(_client, utterance_end, **kwargs):
    with lock:
        summary["utterance_ends"] += 1


def on_speech_started(_client, speech_started, **kwargs):
    with lock:
        summary["speech_started"] += 1


def on_metadata(_client, metadata, **kwargs):
    with lock:
        summary["metadata"] += 1
        summary["metadata_request_id"] = metadata.request_id
        summary["metadata_duration"] = metadata.duration
    metadata_seen.set()


def on_close(_client, close, **kwargs):
    summary["closed"] = True


def on_error(_client, error, **kwargs):
    summary["errors"].append(str(error))


def on_unhandled(_client, unhandled, **kwargs):
    summary["unhandled"].append(str(unhandled))


conn.on(LiveTranscriptionEvents.Open, on_open)
conn.on(LiveTranscriptionEvents.Transcript, on_transcript)
conn.on(LiveTranscriptionEvents.UtteranceEnd, on_utterance_end)
conn.on(LiveTranscriptionEvents.SpeechStarted, on_speech_started)
conn.on(LiveTranscriptionEvents.Metadata, on_metadata)
conn.on(LiveTranscriptionEvents.Close, on_close)
conn.on(LiveTranscriptionEvents.Error, on_error)
conn.on(LiveTranscriptionEvents.Unhandled, on_unhandled)

with wave.open(wav_path, "rb") as w:
    rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
    frames = w.readframes(w.getnframes())

options = LiveOptions(model="nova-3", encoding="linear16", sample_rate=rate, channels=channels,
                      interim_results=True, utterance_end_ms="1000", vad_events=True, punctuate=True)
if not conn.start(options):
    summary["errors"].append("start() failed")
else:
    chunk = rate // 10 * width * channels
    start = time.monotonic()
    sent_keepalive = False
    for i in range(0, len(frames), chunk):
        conn.send(frames[i:i + chunk])
        if not sent_keepalive and i >= len(frames) // 2:
            conn.keep_alive()
            sent_keepalive = True
        time.sleep(max(0.0, start + (i + chunk) / (rate * width * channels) - time.monotonic()))
    conn.finalize()
    summary["finalize_answered"] = finalized.wait(30)
    conn.finish()
    summary["metadata_before_finish_returned"] = metadata_seen.is_set()

summary["request_ids"] = sorted(set(summary["request_ids"]))
print("SUMMARY " + json.dumps(summary), flush=True)
sys.exit(0 if not summary["errors"] else 1)
