#!/usr/bin/env python3
"""The official Deepgram Python SDK (current major: v5+ API, `client.listen.v1.connect`)
streaming a WAV file in real time to captty's local Deepgram-compatible server.

Usage: local_sdk_current_client.py WS_BASE_URL WAV_FILE API_KEY [multichannel-wav]
Prints one JSON summary line starting with `SUMMARY ` and exits 0; exits 1 on failure.
Sends a KeepAlive mid-stream, a Configure (keyterms) at a third and another (features) at two
thirds of the audio, each answered before the stream goes on (the SDK's `send_configure`, which
waits for ConfigureSuccess or ConfigureFailure), a Finalize after the audio (waits for a
from_finalize result), then CloseStream, and waits for the server's close.
With `multichannel-wav`: the WAV file itself (header included, any channel count) with
multichannel=true and no encoding, sample_rate or channels (containerised audio), no Configure;
the summary adds each channel's transcript and the channel_index values seen.
"""
import hashlib
import json
import sys
import threading
import time
import wave

from deepgram import DeepgramClient
from deepgram.core.events import EventType
from deepgram.environment import DeepgramClientEnvironment
from deepgram.listen.v1.types import (ListenV1Configure, ListenV1ConfigureFailure, ListenV1ConfigureSuccess,
                                      ListenV1Metadata, ListenV1Results, ListenV1SpeechStarted,
                                      ListenV1UtteranceEnd)

base, wav_path, key = sys.argv[1], sys.argv[2], sys.argv[3]
multichannel_wav = len(sys.argv) > 4 and sys.argv[4] == "multichannel-wav"
env = DeepgramClientEnvironment(base=base.replace("ws", "http", 1), production=base, agent=base, agent_rest=base)
client = DeepgramClient(api_key=key, environment=env)

summary = {"results": 0, "finals": 0, "speech_finals": 0, "from_finalize": 0, "utterance_ends": 0,
           "speech_started": 0, "metadata": 0, "other": [], "transcript": "", "request_ids": [],
           "metadata_request_id": None, "model_names": [], "error": None, "order": [],
           "configure_replies": [], "results_after_configure": 0, "transcripts_by_channel": {}, "channel_indexes": []}
lock = threading.Lock()
finalized = threading.Event()
configured = threading.Event()
closed = threading.Event()


def on_message(msg):
    with lock:
        if isinstance(msg, ListenV1Results):
            summary["results"] += 1
            summary["order"].append("R")
            summary["request_ids"].append(msg.metadata.request_id)
            if summary["configure_replies"]:
                summary["results_after_configure"] += 1
            summary["model_names"].append(msg.metadata.model_info.name)
            index = list(msg.channel_index)
            if index not in summary["channel_indexes"]:
                summary["channel_indexes"].append(index)
            if msg.is_final:
                summary["finals"] += 1
                t = msg.channel.alternatives[0].transcript
                if t:
                    summary["transcript"] += (" " if summary["transcript"] else "") + t
                    by = summary["transcripts_by_channel"]
                    c = str(index[0])
                    by[c] = (by[c] + " " if by.get(c) else "") + t
            if msg.speech_final:
                summary["speech_finals"] += 1
            if msg.from_finalize:
                summary["from_finalize"] += 1
                finalized.set()
        elif isinstance(msg, (ListenV1ConfigureFailure, ListenV1ConfigureSuccess)):
            summary["configure_replies"].append({"type": msg.type, "request_id": msg.request_id,
                                                 "code": getattr(msg, "code", None),
                                                 "description": getattr(msg, "description", None)})
            summary["order"].append("C")
            configured.set()
        elif isinstance(msg, ListenV1UtteranceEnd):
            summary["utterance_ends"] += 1
            summary["order"].append("U")
        elif isinstance(msg, ListenV1SpeechStarted):
            summary["speech_started"] += 1
        elif isinstance(msg, ListenV1Metadata):
            summary["metadata"] += 1
            summary["metadata_request_id"] = msg.request_id
            summary["metadata_duration"] = msg.duration
            summary["metadata_sha256"] = msg.sha256
            summary["metadata_channels"] = msg.channels
            summary["order"].append("M")
        else:
            summary["other"].append(type(msg).__name__)


def on_error(err):
    with lock:
        summary["error"] = repr(err)


def on_close(_):
    closed.set()


with wave.open(wav_path, "rb") as w:
    rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
    frames = w.readframes(w.getnframes())
assert width == 2, "this peer sends 16-bit PCM"
if multichannel_wav:
    frames = open(wav_path, "rb").read()   # the file as it is: the server reads its header
    format_options = {"multichannel": "true"}
else:
    format_options = {"encoding": "linear16", "sample_rate": str(rate), "channels": str(channels)}
summary["sent_sha256"] = hashlib.sha256(frames).hexdigest()

try:
    with client.listen.v1.connect(model="nova-3", **format_options,
                                  interim_results="true", utterance_end_ms="1000", vad_events="true",
                                  punctuate="true", smart_format="true") as sock:
        sock.on(EventType.MESSAGE, on_message)
        sock.on(EventType.ERROR, on_error)
        sock.on(EventType.CLOSE, on_close)
        listener = threading.Thread(target=sock.start_listening, daemon=True)
        listener.start()
        chunk = rate // 10 * width * channels
        start = time.monotonic()
        sent_keepalive = False
        configures = [] if multichannel_wav else [
            (len(frames) // 3, ListenV1Configure(keyterms=["preamble"])),
            (2 * len(frames) // 3, ListenV1Configure(features={"numerals": True}))]
        for i in range(0, len(frames), chunk):
            sock.send_media(frames[i:i + chunk])
            if not sent_keepalive and i >= len(frames) // 2:
                sock.send_keep_alive()
                sent_keepalive = True
            if configures and i >= configures[0][0]:
                configured.clear()
                sock.send_configure(configures.pop(0)[1])
                summary.setdefault("configure_answered", []).append(configured.wait(10))
            due = start + (i + chunk) / (rate * width * channels)
            time.sleep(max(0.0, due - time.monotonic()))
        sock.send_finalize()
        summary["finalize_answered"] = finalized.wait(30)
        sock.send_close_stream()
        summary["closed"] = closed.wait(20)
        listener.join(5)
except Exception as exc:  # noqa: BLE001 - report anything as failure
    summary["error"] = repr(exc)

print("SUMMARY " + json.dumps(summary), flush=True)
sys.exit(0 if summary["error"] is None else 1)
