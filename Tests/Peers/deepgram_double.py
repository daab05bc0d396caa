#!/usr/bin/env python3
"""TEST DOUBLE of Deepgram's live /v1/listen WebSocket endpoint (not Deepgram).

Deepgram cannot be reached from the build machines, so captty's LiveClient tests talk to this
stand-in, written from /work/shared/deepgram-live-protocol.md. It uses the real `websockets`
library for the WebSocket side. It does no speech recognition: it invents one "word" per
--word-seconds of audio received, so tests can check continuity and timing.

What it does
- Upgrade: checks `Authorization: Token <key>` or `Bearer <key>` against --api-key; a wrong or
  missing one gets HTTP 401 with `dg-error`, `dg-request-id` and a JSON body. --refuse 400|401|403
  refuses every upgrade; --no-auth accepts any or none. A query with `encoding` but no `sample_rate` gets 400. Every response
  (also the 101) carries `dg-request-id`.
- Audio: binary frames are recorded byte-exact per connection (<record-dir>/conn-NNN.bin) and
  counted. An empty binary frame is recorded as a protocol fault in the stats.
- Results: an interim Results per complete word, a final (speech_final) every --final-seconds
  of audio covering whole words, then UtteranceEnd when `utterance_end_ms` is set; SpeechStarted
  at the first audio when `vad_events=true`. Word names: `b<connection byte offset>` or, with
  --word-names counter, `c<uint32 LE found at the word's first byte>` (tests send audio whose
  bytes are a running uint32 counter, so a name says where in the session the word came from).
- --entities: with `detect_entities=true`, each final names its first word as an entity (NAME);
  --search-hits: with `search=TERM`, each final has a hit for TERM on its first word.
- Configure (newest API): answered with ConfigureSuccess (echoing `keyterms` when given), or with
  ConfigureFailure CONFIGURE_KEYTERMS_NOT_SUPPORTED when a keyterm is "unsupported"; counted.
- KeepAlive: counted; resets the idle timer. Finalize: a final with from_finalize=true covering
  all audio so far. CloseStream: (after --late-final-delay s) a final for the remaining audio
  (--overshoot-at-close S: reaching S s past it, with a word there),
  Metadata, close 1000 (--no-close-after-metadata: no close).
- Idle: close 1011 `NET-0001 …` after --idle-timeout s with no audio or text message, or when no
  audio came within --require-audio-within s of opening.
- Faults: --kill-after-bytes N --kill-times K aborts the TCP connection (no close frame) of each
  of the first K connections once it has received N bytes; --kill-on-keepalive M aborts it at
  the M-th KeepAlive, --kill-on-close-stream on CloseStream instead. --close-after-bytes N --close-code C --close-reason R
  [--close-times K] sends a close frame. --answer-close-stream C answers every CloseStream with a
  final (an empty one when no audio is left) and close C instead of Metadata and 1000. --freeze-after-bytes N [--freeze-times K] stops
  reading (no pongs, no results) while keeping TCP open: a dead peer for heartbeat tests.
- --no-finals: interim results only while audio comes, and Finalize unanswered (a broken or
  misconfigured server); CloseStream is still answered.
- --greet TEXT sends TEXT as a text frame when a connection opens (unknown types, Error messages,
  malformed JSON).
- Stats: <record-dir>/stats.json, rewritten after every text message and connection end.
Prints `PORT <n>` on stdout when listening. Stops on SIGTERM/SIGINT or when stdin closes.
"""
import argparse
import asyncio
import json
import os
import signal
import struct
import sys
import time
import uuid

from websockets.asyncio.server import serve
from websockets.datastructures import Headers
from websockets.http11 import Response

ENCODING_BYTES = {"linear16": 2, "linear32": 4, "mulaw": 1, "alaw": 1}
NET0001 = ("NET-0001: Deepgram did not receive audio data or a text message within the timeout "
           "window. See https://dpgr.am/net0001")


class Stats:
    def __init__(self, record_dir):
        self.record_dir = record_dir
        self.connections = []
        self.refused = []

    def write(self):
        if not self.record_dir:
            return
        data = {
            "connections": self.connections,
            "refused": self.refused,
            "total_bytes": sum(c["bytes"] for c in self.connections),
            "keepalives": sum(c["keepalives"] for c in self.connections),
        }
        tmp = os.path.join(self.record_dir, "stats.json.tmp")
        with open(tmp, "w") as f:
            json.dump(data, f, indent=1)
        os.replace(tmp, os.path.join(self.record_dir, "stats.json"))


class Conn:
    """One live connection's state."""

    def __init__(self, args, stats, ws, query, request_id):
        self.args, self.stats, self.ws = args, stats, ws
        self.request_id = request_id
        self.index = len(stats.connections)
        enc = query.get("encoding")
        rate = int(query.get("sample_rate", "16000"))
        ch = int(query.get("channels", "1"))
        self.bps = ENCODING_BYTES.get(enc, 2) * rate * ch
        self.utterance_end = "utterance_end_ms" in query
        self.vad = query.get("vad_events") == "true"
        self.entities = args.entities and query.get("detect_entities") == "true"
        self.search = query.get("search") if args.search_hits else None
        self.interim = query.get("interim_results", "false") == "true"
        self.audio = bytearray()
        self.final_bytes = 0         # bytes covered by finals
        self.interim_bytes = 0       # bytes covered by the last interim
        self.last_activity = time.monotonic()
        self.opened = time.monotonic()
        self.closing = False
        self.file = None
        if args.record_dir:
            self.file = open(os.path.join(args.record_dir, "conn-%03d.bin" % self.index), "wb")
        self.info = {"index": self.index, "request_id": request_id, "bytes": 0, "frames": 0,
                     "empty_frames": 0, "keepalives": 0, "finalize": 0, "close_stream": 0,
                     "text_messages": [], "auth": ws.request.headers.get("Authorization", "").split(" ")[0],
                     "query": ws.request.path, "user_agent": ws.request.headers.get("User-Agent"),
                     "end": None, "killed": False}
        stats.connections.append(self.info)

    @property
    def word_bytes(self):
        b = int(self.bps * self.args.word_seconds)
        return b - b % 4 if b >= 8 else max(b, 1)

    def word_name(self, offset):
        if self.args.word_names == "counter" and offset + 4 <= len(self.audio):
            return "c%d" % struct.unpack_from("<I", self.audio, offset)[0]
        return "b%d" % offset

    def words(self, start, end):
        out = []
        wb = self.word_bytes
        pos = start
        while pos < end:
            nxt = min(end, pos + wb)
            name = self.word_name(pos)
            out.append({"word": name, "start": round(pos / self.bps, 6), "end": round(nxt / self.bps, 6),
                        "confidence": 0.99, "punctuated_word": name})
            pos = nxt
        return out

    def results(self, start, end, is_final, speech_final=False, from_finalize=False):
        words = self.words(start, end)
        out = self.results_body(start, end, is_final, speech_final, from_finalize, words)
        if is_final and words and self.entities:
            # Beside `channel`, as the live API lists them: the final's first word as a name.
            out["entities"] = [{"label": "NAME", "value": words[0]["word"], "confidence": 0.9,
                                "start_word": 0, "end_word": 1}]
        if is_final and words and self.search:
            out["channel"]["search"] = [{"query": self.search, "hits": [
                {"confidence": 0.8, "start": words[0]["start"], "end": words[0]["end"], "snippet": words[0]["word"]}]}]
        return out

    def results_body(self, start, end, is_final, speech_final, from_finalize, words):
        return {"type": "Results", "channel_index": [0, 1], "start": round(start / self.bps, 6),
                "duration": round((end - start) / self.bps, 6), "is_final": is_final,
                "speech_final": speech_final, "from_finalize": from_finalize,
                "channel": {"alternatives": [{"transcript": " ".join(w["word"] for w in words),
                                              "confidence": 0.99, "words": words}]},
                "metadata": {"request_id": self.request_id,
                             "model_info": {"name": "double", "version": "0", "arch": "test-double"},
                             "model_uuid": "00000000-0000-0000-0000-000000000000"}}

    async def send_json(self, obj):
        await self.ws.send(json.dumps(obj))

    async def final(self, end, speech_final=False, from_finalize=False):
        await self.send_json(self.results(self.final_bytes, end, True, speech_final, from_finalize))
        last_end = end / self.bps
        self.final_bytes = end
        self.interim_bytes = end
        if speech_final and self.utterance_end:
            await self.send_json({"type": "UtteranceEnd", "channel": [0, 1], "last_word_end": round(last_end, 6)})

    async def on_audio(self, data):
        self.last_activity = time.monotonic()
        self.info["frames"] += 1
        if len(data) == 0:
            self.info["empty_frames"] += 1
            return
        if self.vad and len(self.audio) == 0:
            await self.send_json({"type": "SpeechStarted", "channel": [0, 1], "timestamp": 0.0})
        self.audio += data
        self.info["bytes"] += len(data)
        if self.file:
            self.file.write(data)
            self.file.flush()
        a = self.args
        if a.kill_after_bytes and self.index < a.kill_times and self.info["bytes"] >= a.kill_after_bytes:
            self.info["killed"] = True
            self.finish_record("killed")
            self.ws.transport.abort()
            raise ConnectionAbortedError
        if a.close_after_bytes and self.index < a.close_times and self.info["bytes"] >= a.close_after_bytes:
            self.info["end"] = "close %d" % a.close_code
            self.stats.write()
            self.closing = True
            await self.ws.close(a.close_code, a.close_reason)
            raise ConnectionAbortedError
        if a.freeze_after_bytes and self.index < a.freeze_times and self.info["bytes"] >= a.freeze_after_bytes:
            # Stop reading and answering (pings included) without closing: a dead peer.
            self.info["end"] = "frozen"
            self.finish_record("frozen")
            self.closing = True
            self.ws.transport.pause_reading()
            await asyncio.sleep(3600)
        wb = self.word_bytes
        whole = len(self.audio) - len(self.audio) % wb
        final_span = int(self.bps * a.final_seconds)
        behind = a.backlog_after_bytes and len(self.audio) >= a.backlog_after_bytes
        if behind:
            pass
        elif whole - self.final_bytes >= final_span and not a.no_finals:
            await self.final(whole, speech_final=True)
        elif self.interim and whole > self.interim_bytes:
            self.interim_bytes = whole
            await self.send_json(self.results(self.final_bytes, whole, False))

    async def on_text(self, text):
        self.last_activity = time.monotonic()
        try:
            msg = json.loads(text)
        except ValueError:
            msg = {"type": None}
        kind = msg.get("type")
        self.info["text_messages"].append(kind)
        if kind == "KeepAlive":
            self.info["keepalives"] += 1
            a = self.args
            if a.kill_on_keepalive and self.index < a.kill_times and self.info["keepalives"] >= a.kill_on_keepalive:
                self.info["killed"] = True
                self.finish_record("killed")
                self.ws.transport.abort()
                raise ConnectionAbortedError
        elif kind == "Configure":
            self.info["configures"] = self.info.get("configures", 0) + 1
            keyterms = msg.get("keyterms")
            if keyterms is not None and "unsupported" in keyterms:
                await self.send_json({"type": "ConfigureFailure", "request_id": self.request_id,
                                      "code": "CONFIGURE_KEYTERMS_NOT_SUPPORTED",
                                      "description": "this model does not support mid-stream keyterm updates"})
            else:
                answer = {"type": "ConfigureSuccess", "request_id": self.request_id}
                if keyterms is not None:
                    answer["keyterms"] = keyterms
                await self.send_json(answer)
        elif kind == "Finalize":
            self.info["finalize"] += 1
            if not self.args.no_finals:
                await self.final(len(self.audio), from_finalize=True)
        elif kind == "CloseStream":
            self.info["close_stream"] += 1
            if self.args.kill_on_close_stream and self.index < self.args.kill_times:
                self.info["killed"] = True
                self.finish_record("killed")
                self.ws.transport.abort()
                raise ConnectionAbortedError
            self.stats.write()
            self.closing = True
            if self.args.bare_close_stream:
                # A close alone: no final for the audio left, no Metadata (every connection).
                self.info["end"] = "close %d" % self.args.bare_close_stream
                self.stats.write()
                await self.ws.close(self.args.bare_close_stream, "")
                return
            if self.args.answer_close_stream:
                # A final for what is left (an empty one when nothing is), then a close with the
                # given code instead of Metadata and 1000 -- on every connection.
                await self.final(len(self.audio), speech_final=True)
                self.info["end"] = "close %d" % self.args.answer_close_stream
                self.stats.write()
                await self.ws.close(self.args.answer_close_stream, self.args.close_reason)
                return
            if self.args.late_final_delay:
                await asyncio.sleep(self.args.late_final_delay)
            if self.args.backlog_pace:
                # A server working through a backlog: a final per --final-seconds of the audio
                # left, one every --backlog-pace seconds.
                span = int(self.bps * self.args.final_seconds)
                span -= span % self.word_bytes
                while len(self.audio) - self.final_bytes > span > 0:
                    await asyncio.sleep(self.args.backlog_pace)
                    await self.final(self.final_bytes + span, speech_final=True)
                await asyncio.sleep(self.args.backlog_pace)
            if self.args.no_final_at_close:
                pass
            elif self.args.overshoot_at_close:
                # The final for the audio left reaches past it, with a word there (a faulty server).
                r = self.results(self.final_bytes, len(self.audio), True, True, False)
                end = len(self.audio) / self.bps
                r["duration"] = round(r["duration"] + self.args.overshoot_at_close, 6)
                alt = r["channel"]["alternatives"][0]
                alt["words"].append({"word": "phantom", "start": round(end + 1, 6),
                                     "end": round(end + self.args.overshoot_at_close, 6), "confidence": 0.9})
                alt["transcript"] = " ".join(w["word"] for w in alt["words"])
                await self.send_json(r)
                self.final_bytes = len(self.audio)
            elif len(self.audio) > self.final_bytes or self.args.late_final_delay:
                await self.final(len(self.audio), speech_final=True)
            await self.send_json({"type": "Metadata", "transaction_key": "deprecated",
                                  "request_id": self.request_id, "sha256": "0" * 64,
                                  "created": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
                                  "duration": round(len(self.audio) / self.bps, 6), "channels": 1,
                                  "models": ["00000000-0000-0000-0000-000000000000"],
                                  "model_info": {"00000000-0000-0000-0000-000000000000":
                                                 {"name": "double", "version": "0", "arch": "test-double"}}})
            if self.args.no_close_after_metadata:
                self.info["end"] = "metadata, no close"
                self.stats.write()
                return
            await self.ws.close(1000, "")
        self.stats.write()

    async def watchdog(self):
        a = self.args
        while True:
            await asyncio.sleep(0.2)
            if self.closing:
                return
            now = time.monotonic()
            no_audio_yet = len(self.audio) == 0 and a.require_audio_within and now - self.opened > a.require_audio_within
            if now - self.last_activity > a.idle_timeout or no_audio_yet:
                self.info["end"] = "NET-0001"
                self.stats.write()
                await self.ws.close(1011, NET0001)
                return

    def finish_record(self, how):
        if self.info["end"] is None:
            self.info["end"] = how
        if self.file:
            self.file.close()
            self.file = None
        self.stats.write()


def error_response(status, dg_error, request_id, extra_body=None):
    reason = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}.get(status, "Error")
    body = {"err_code": reason.upper().replace(" ", "_") if status != 400 else "Bad Request",
            "err_msg": dg_error, "request_id": request_id}
    if extra_body:
        body.update(extra_body)
    text = json.dumps(body)
    headers = Headers([("Content-Type", "application/json"), ("dg-error", dg_error),
                       ("dg-request-id", request_id), ("Content-Length", str(len(text.encode())))])
    return Response(status, reason, headers, text.encode())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--api-key", default="test-key")
    p.add_argument("--record-dir")
    p.add_argument("--no-auth", action="store_true",
                   help="accept any Authorization, or none (a self-hosted server authorizes at the container)")
    p.add_argument("--refuse", type=int, choices=[400, 401, 403])
    p.add_argument("--echo-auth-in-error", action="store_true",
                   help="put the received Authorization value in the 401 body (to test client redaction)")
    p.add_argument("--word-seconds", type=float, default=0.5)
    p.add_argument("--entities", action="store_true")
    p.add_argument("--search-hits", action="store_true")
    p.add_argument("--final-seconds", type=float, default=2.0)
    p.add_argument("--word-names", choices=["bytes", "counter"], default="bytes")
    p.add_argument("--idle-timeout", type=float, default=10.0)
    p.add_argument("--require-audio-within", type=float, default=10.0)
    p.add_argument("--late-final-delay", type=float, default=0.0)
    p.add_argument("--overshoot-at-close", type=float, default=0.0,
                   help="at CloseStream, a final for the audio left that reaches S seconds past it, with a word `phantom` there")
    p.add_argument("--backlog-pace", type=float, default=0.0,
                   help="at CloseStream, answer the audio left one final (--final-seconds) every this many seconds")
    p.add_argument("--backlog-after-bytes", type=int, default=0,
                   help="send no finals after this many bytes until CloseStream (a server falling behind)")
    p.add_argument("--no-finals", action="store_true",
                   help="interim results only: no finals while audio comes, Finalize unanswered (CloseStream still is)")
    p.add_argument("--no-final-at-close", action="store_true",
                   help="at CloseStream, send Metadata and close without a final for the audio left (its interim stays unconfirmed)")
    p.add_argument("--kill-after-bytes", type=int, default=0)
    p.add_argument("--kill-times", type=int, default=0)
    p.add_argument("--kill-on-keepalive", type=int, default=0,
                   help="abort the TCP connection at this KeepAlive (on each of the first --kill-times connections)")
    p.add_argument("--no-close-after-metadata", action="store_true",
                   help="after CloseStream's final and Metadata, keep the connection open (a server that never closes)")
    p.add_argument("--kill-on-close-stream", action="store_true",
                   help="abort the TCP connection on CloseStream (on each of the first --kill-times connections)")
    p.add_argument("--answer-close-stream", type=int, default=0, metavar="CODE",
                   help="answer CloseStream with a final (even an empty one) and a close CODE (reason --close-reason), no Metadata")
    p.add_argument("--bare-close-stream", type=int, default=0, metavar="CODE",
                   help="answer CloseStream with a close CODE alone: no final for the audio left, no Metadata")
    p.add_argument("--close-after-bytes", type=int, default=0)
    p.add_argument("--close-times", type=int, default=1)
    p.add_argument("--close-code", type=int, default=1011)
    p.add_argument("--close-reason", default="NET-0000")
    p.add_argument("--freeze-after-bytes", type=int, default=0,
                   help="stop reading (no pongs, no results) without closing")
    p.add_argument("--freeze-times", type=int, default=1)
    p.add_argument("--greet", action="append", default=[],
                   help="a text frame to send as soon as a connection opens (repeatable)")
    p.add_argument("--max-size", type=int, default=1 << 20)
    p.add_argument("--no-stdin-watch", action="store_true", help="do not stop when stdin closes")
    args = p.parse_args()
    if args.record_dir:
        os.makedirs(args.record_dir, exist_ok=True)
    stats = Stats(args.record_dir)

    def process_request(connection, request):
        rid = str(uuid.uuid4())
        connection.dg_request_id = rid
        path, _, qs = request.path.partition("?")
        if path.rstrip("/") != "/v1/listen":
            return error_response(404, "Not Found", rid)
        query = {}
        for part in qs.split("&") if qs else []:
            k, _, v = part.partition("=")
            query.setdefault(k, v)
        connection.dg_query = query
        auth = request.headers.get("Authorization", "")
        if args.refuse == 400:
            stats.refused.append({"status": 400, "request_id": rid}); stats.write()
            return error_response(400, "Invalid query string.", rid)
        if args.refuse in (401, 403) or (not args.no_auth and auth not in ("Token " + args.api_key, "Bearer " + args.api_key)):
            status = args.refuse or 401
            msg = "Invalid credentials." if status == 401 else "Insufficient permissions."
            extra = {"received": auth} if args.echo_auth_in_error else None
            stats.refused.append({"status": status, "request_id": rid}); stats.write()
            return error_response(status, msg, rid, extra)
        if "encoding" in query and "sample_rate" not in query:
            stats.refused.append({"status": 400, "request_id": rid}); stats.write()
            return error_response(400, "Invalid query string.", rid)
        return None

    def process_response(connection, request, response):
        if "dg-request-id" not in response.headers:
            response.headers["dg-request-id"] = getattr(connection, "dg_request_id", str(uuid.uuid4()))
        return None

    async def handler(ws):
        conn = Conn(args, stats, ws, ws.dg_query, ws.dg_request_id)
        stats.write()
        for text in args.greet:
            await ws.send(text)
        dog = asyncio.create_task(conn.watchdog())
        try:
            async for message in ws:
                if isinstance(message, (bytes, bytearray)):
                    await conn.on_audio(message)
                else:
                    await conn.on_text(message)
        except ConnectionAbortedError:
            pass
        except Exception as e:  # connection errors end this connection only
            conn.info["error"] = repr(e)
        finally:
            dog.cancel()
            conn.info["close_code"] = ws.close_code
            conn.finish_record("closed")

    async def run():
        stop = asyncio.get_running_loop().create_future()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
        if not args.no_stdin_watch:
            try:
                loop.add_reader(sys.stdin.fileno(), lambda: (sys.stdin.buffer.read1(65536) or None) is None
                                and (stop.done() or stop.set_result(None)))
            except (OSError, ValueError):
                pass  # stdin is not pollable (/dev/null, a file): rely on signals
        async with serve(handler, "127.0.0.1", args.port, process_request=process_request,
                         process_response=process_response, max_size=args.max_size,
                         ping_interval=None, compression=None) as server:
            port = server.sockets[0].getsockname()[1]
            print("PORT %d" % port, flush=True)
            await stop
            stats.write()
            sys.stdout.flush()
            os._exit(0)  # do not wait for handlers (one may be sleeping in a fault mode)
    asyncio.run(run())


if __name__ == "__main__":
    main()
