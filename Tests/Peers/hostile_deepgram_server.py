#!/usr/bin/env python3
"""A hostile Deepgram-protocol server on raw sockets, for captty's tests (NOT Deepgram, and not
a test double of it: it answers the upgrade in ways Deepgram does not, to see what captty does).

Prints `PORT <n>` when listening, then one line per upgrade request: `REQUEST <n> <monotonic s>`
(whether it carried the test key is in `AUTH yes|no`). After a 101 it reads the client's frames;
on CloseStream it sends a final Results covering 0..1 s, Metadata and close 1000 (a normal end).
Usage: hostile_deepgram_server.py MODE
Modes:
  escapes          400 whose dg-error and dg-request-id carry terminal control sequences
  escapes-open     101 (dg-request-id with control sequences), an Error message and a close
                   4000 whose texts carry them (JSON-escaped and raw)
  redirect-CODE    CODE (301/302/307/308) with Location: wss://elsewhere.example/v1/listen
  glitch-after-open-X  a working session that drops after 0.5 s, then one answer X (an HTTP
                   status such as 200 or 404, or bad-accept: a 101 with a wrong accept key), then
                   normal sessions
  retry-after-N    the first upgrade gets 429 with Retry-After: N, later ones a normal session
  status-N         a plain HTTP N (e.g. 200) with an empty body instead of a 101
  close-first-N    the first N upgrade requests are read, then the socket is closed (FIN) with no
                   answer; later ones get a normal session
  echo-key-refused 401 whose dg-request-id, JSON body and dg-error carry the client's key
  echo-key-moved   307 whose Location has the client's key in its path and query
  echo-key-open    101 with the key in dg-request-id, then a final whose transcript and words,
                   and a Metadata whose request_id, carry it, then close 4000 with it as reason
  echo-key-open-escaped  the same, with the key spelled in JSON \\u escapes (every character, or
                   one) in the final, Metadata and an Error message
  binary-json      a session whose answers to CloseStream (final, Metadata) come in binary frames
  binary-junk      a session that first sends a binary frame that is not JSON
  tls              answers the upgrade with a TLS alert record (a wss:// server on a ws:// URL)
  h2               answers the upgrade with an HTTP/2 SETTINGS frame
  bad-results      a session whose final (on CloseStream) has its times as strings: a server
                   whose every Results is malformed
  no-read          a 101, then never reads again (a 4 KiB receive buffer) while it sends an empty
                   interim Results every 0.5 s: a server that talks but has stopped taking audio
Stops when stdin closes.
"""
import asyncio, base64, hashlib, json, os, struct, sys, threading, time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MODE = sys.argv[1]
ESC = b"\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J"
REQUESTS = [0]


def frame(opcode, payload=b""):
    n = len(payload)
    if n < 126:
        head = bytes([0x80 | opcode, n])
    elif n <= 0xFFFF:
        head = bytes([0x80 | opcode, 126]) + struct.pack("!H", n)
    else:
        head = bytes([0x80 | opcode, 127]) + struct.pack("!Q", n)
    return head + payload


def text(obj):
    return frame(1, json.dumps(obj).encode())


def close(code, reason=b""):
    return frame(8, struct.pack("!H", code) + reason)


FINAL = {"type": "Results", "channel_index": [0, 1], "start": 0.0, "duration": 1.0, "is_final": True,
         "speech_final": True, "channel": {"alternatives": [{"transcript": "hello", "confidence": 0.9,
         "words": [{"word": "hello", "start": 0.1, "end": 0.6, "confidence": 0.9}]}]}}
METADATA = {"type": "Metadata", "request_id": "hostile", "duration": 1.0, "channels": 1}


async def read_head(reader):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = await reader.read(4096)
        if not chunk:
            return None
        data += chunk
    headers = {}
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower()] = v.strip()
    return headers


async def session(reader, writer, opcode=1, final=None):
    """Reads client frames; answers CloseStream with a final, Metadata and close 1000 (the first
    two in frames of `opcode`: 1 text, as Deepgram, or 2 binary)."""
    try:
        while True:
            b = await reader.readexactly(2)
            n = b[1] & 0x7F
            if n == 126:
                n = struct.unpack("!H", await reader.readexactly(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", await reader.readexactly(8))[0]
            key = await reader.readexactly(4) if b[1] & 0x80 else b"\0\0\0\0"
            payload = bytes(c ^ key[i % 4] for i, c in enumerate(await reader.readexactly(n)))
            op = b[0] & 0x0F
            if op == 8:
                writer.write(frame(8, payload[:2]))
                await writer.drain()
                return
            if op == 1 and json.loads(payload).get("type") == "CloseStream":
                writer.write(frame(opcode, json.dumps(final or FINAL).encode()) + frame(opcode, json.dumps(METADATA).encode()) + close(1000))
                await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        return


def switching(headers, extra=b""):
    accept = base64.b64encode(hashlib.sha1(headers[b"sec-websocket-key"] + GUID).digest())
    return (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n" + extra + b"\r\n")


def refusal(status, reason, extra=b"", body=b""):
    return (b"HTTP/1.1 %d %s\r\n" % (status, reason) + extra
            + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)


async def handle(reader, writer):
    try:
        headers = await read_head(reader)
        if headers is None:
            return
        REQUESTS[0] += 1
        n = REQUESTS[0]
        auth = headers.get(b"authorization", b"")
        print("REQUEST %d %.3f" % (n, time.monotonic()), flush=True)
        print("AUTH %s" % ("yes" if auth.startswith(b"Token ") else "no"), flush=True)
        key = auth.split(b" ", 1)[1] if b" " in auth else b"nokey"
        if MODE.startswith("glitch-after-open-"):
            # 1: a working session that drops (TCP FIN, no close frame) after 0.5 s; 2: a refusal
            # a proxy or a captive portal might give (an HTTP status, or "bad-accept"); then normal.
            what = MODE[len("glitch-after-open-"):]
            if n == 1:
                writer.write(switching(headers))
                await writer.drain()
                await asyncio.sleep(0.5)
                writer.write(text(FINAL))
                await writer.drain()
                return
            if n == 2:
                if what == "bad-accept":
                    writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                 b"Sec-WebSocket-Accept: bm90IHRoZSByaWdodCBhY2NlcHQ=\r\n\r\n")
                else:
                    writer.write(refusal(int(what), b"Glitch", b"", b"<html>portal</html>"))
                await writer.drain()
                return
            writer.write(switching(headers))
            await writer.drain()
            await session(reader, writer)
        elif MODE.startswith("close-first-"):
            if n <= int(MODE.split("-")[2]):
                return
            writer.write(switching(headers))
            await writer.drain()
            await session(reader, writer)
        elif MODE == "echo-key-refused":
            body = json.dumps({"err_code": "INVALID_AUTH", "err_msg": "bad key " + key.decode(), "request_id": "rid-" + key.decode()})
            writer.write(refusal(401, b"Unauthorized", b"dg-error: key " + key + b" is wrong\r\ndg-request-id: rid-" + key + b"\r\n", body.encode()))
        elif MODE == "echo-key-moved":
            writer.write(refusal(307, b"Moved", b"Location: wss://elsewhere.example/" + key + b"/v1/listen?token=" + key + b"\r\n"))
        elif MODE == "echo-key-open":
            writer.write(switching(headers, b"dg-request-id: rid-" + key + b"\r\n"))
            await asyncio.sleep(0.3)
            k = key.decode()
            final = json.loads(json.dumps(FINAL))
            final["channel"]["alternatives"][0]["transcript"] = "hello " + k
            final["channel"]["alternatives"][0]["words"].append({"word": k, "start": 0.6, "end": 0.9, "confidence": 0.9})
            final["metadata"] = {"request_id": "rid-" + k, "model_uuid": k}
            writer.write(text(final) + text(dict(METADATA, request_id="rid-" + k, sha256=k)))
            writer.write(close(4000, b"gone " + key))
        elif MODE == "echo-key-open-escaped":
            # As echo-key-open, with the key spelled in JSON escapes: every character in the
            # transcript and Metadata, one character in a word and an Error message.
            writer.write(switching(headers))
            await asyncio.sleep(0.3)
            k = key.decode()
            every = "".join("\\u%04x" % ord(ch) for ch in k)
            one = k[:2] + "\\u%04X" % ord(k[2]) + k[3:]
            final = json.loads(json.dumps(FINAL))
            final["channel"]["alternatives"][0]["transcript"] = "hello KEY_EVERY"
            final["channel"]["alternatives"][0]["words"].append({"word": "KEY_ONE", "start": 0.6, "end": 0.9, "confidence": 0.9})
            final["metadata"] = {"request_id": "rid-KEY_EVERY", "model_uuid": "KEY_ONE"}
            for obj in (final, dict(METADATA, request_id="rid-KEY_EVERY", sha256="KEY_ONE"),
                        {"type": "Error", "description": "key KEY_ONE is bad", "message": "KEY_EVERY"}):
                raw = json.dumps(obj).replace("KEY_EVERY", every).replace("KEY_ONE", one).encode()
                writer.write(frame(1, raw))
            writer.write(close(4000, b"gone " + key))
        elif MODE in ("binary-json", "binary-junk"):
            writer.write(switching(headers))
            if MODE == "binary-junk":
                writer.write(frame(2, b"\x00\x01\x02 not json"))
            await writer.drain()
            await session(reader, writer, opcode=2 if MODE == "binary-json" else 1)
        elif MODE == "bad-results":
            writer.write(switching(headers))
            await writer.drain()
            await session(reader, writer, final=dict(FINAL, start="0.0", duration="1.0"))
        elif MODE == "no-read":
            import socket
            writer.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            writer.transport.pause_reading()
            writer.write(switching(headers))
            empty = {"type": "Results", "channel_index": [0, 1], "duration": 0, "start": 0, "is_final": False,
                     "speech_final": False, "channel": {"alternatives": [{"transcript": "", "confidence": 0, "words": []}]}}
            while True:
                writer.write(text(empty))
                await writer.drain()
                await asyncio.sleep(0.5)
        elif MODE == "tls":
            writer.write(b"\x15\x03\x01\x00\x02\x02\x46")
        elif MODE == "h2":
            writer.write(b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
        elif MODE == "escapes":
            writer.write(refusal(400, b"Bad Request", b"dg-error: bad " + ESC + b" option\r\ndg-request-id: req" + ESC + b"\r\n",
                                 json.dumps({"err_msg": "bad \x1b[2J option"}).encode()))
        elif MODE == "escapes-open":
            writer.write(switching(headers, b"dg-request-id: req" + ESC + b"\r\n"))
            await asyncio.sleep(0.3)
            writer.write(text({"type": "Error", "description": "broken \x1b]0;pwned\x07\x1b[2J", "message": "\x9b31m"}))
            writer.write(close(4000, b"gone " + ESC))
        elif MODE.startswith("redirect-"):
            code = int(MODE.split("-")[1])
            writer.write(refusal(code, b"Moved", b"Location: wss://elsewhere.example/v1/listen?token=abc\r\n"))
        elif MODE.startswith("status-"):
            writer.write(refusal(int(MODE.split("-")[1]), b"Whatever"))
        elif MODE.startswith("retry-after-"):
            if n == 1:
                writer.write(refusal(429, b"Too Many Requests", b"Retry-After: %s\r\ndg-error: slow down\r\n" % MODE.split("-")[2].encode()))
            else:
                writer.write(switching(headers))
                await writer.drain()
                await session(reader, writer)
        await writer.drain()
        await asyncio.sleep(0.5)
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    print("PORT %d" % srv.sockets[0].getsockname()[1], flush=True)
    # Exit when stdin closes (the test finished) so no peer outlives its test.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    await asyncio.sleep(600)
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
