#!/usr/bin/env python3
"""A deliberately misbehaving WebSocket server written on raw sockets, for captty's tests.

It performs a correct opening handshake (or a wrong one, per mode), then writes exactly the
bytes a mode calls for and reports what the client did, one line per event on stdout:
  PORT <n>                     listening
  CLOSE_CODE <code> <reason>   the client's close frame (unmasked here)
  PONG <hex payload>           the client's pong
  EOF                          the client closed TCP without a close frame
Usage: ws_raw_server.py MODE   (modes: see MODES below)
"""
import base64, hashlib, os, socket, struct, sys, threading, time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(opcode, payload=b"", fin=True, rsv=0, mask=False, length=None):
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload) if length is None else length
    head = bytes([b0])
    mbit = 0x80 if mask else 0
    if n < 126:
        head += bytes([mbit | n])
    elif n <= 0xFFFF:
        head += bytes([mbit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([mbit | 127]) + struct.pack("!Q", n)
    if mask:
        key = b"\x01\x02\x03\x04"
        payload = bytes(c ^ key[i % 4] for i, c in enumerate(payload))
        head += key
    return head + payload


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None, b""
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower()] = v.strip()
    return headers, rest


def accept_value(key):
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def handshake(conn, accept=None, extra=b"", interim=b""):
    headers, _ = read_head(conn)
    if headers is None:
        return False
    acc = accept if accept is not None else accept_value(headers[b"sec-websocket-key"])
    conn.sendall(interim + b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Accept: " + acc + b"\r\ndg-request-id: raw-123\r\n" + extra + b"\r\n")
    return True


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_frames(conn, limit=50):
    """Reads client frames until a close frame; reports close codes and pongs."""
    try:
        for _ in range(limit):
            b0, b1 = recv_exact(conn, 2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", recv_exact(conn, 2))[0]
            elif n == 127:
                n = struct.unpack("!Q", recv_exact(conn, 8))[0]
            key = recv_exact(conn, 4) if b1 & 0x80 else b"\0\0\0\0"
            payload = bytes(c ^ key[i % 4] for i, c in enumerate(recv_exact(conn, n)))
            opcode = b0 & 0x0F
            if opcode == 0x8:
                code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                print(f"CLOSE_CODE {code} {payload[2:].decode('utf-8', 'replace')}", flush=True)
                return
            if opcode == 0xA:
                print(f"PONG {payload.hex()}", flush=True)
    except (EOFError, ConnectionError, OSError):
        print("EOF", flush=True)


MODES = {
    # mode: bytes sent after the handshake
    "masked": frame(0x1, b"hello", mask=True),
    "bad-utf8": frame(0x1, b"caf\xc3\x28"),
    "bad-utf8-fragmented": frame(0x1, b"ab\xe2\x82", fin=False) + frame(0x0, b"\x28zz", fin=True),
    "oversized-frame": frame(0x2, b"", length=2 << 20) + b"\0" * 1024,
    "oversized-message": b"".join(frame(0x2 if i == 0 else 0x0, b"\0" * 65536, fin=False) for i in range(40)),
    "reserved-opcode": frame(0x3, b"x"),
    "reserved-control-opcode": frame(0xB, b"x"),
    "rsv1": frame(0x1, b"x", rsv=4),
    "rsv3": frame(0x2, b"x", rsv=1),
    "long-control": frame(0x9, b"p" * 126),
    "fragmented-control": frame(0x9, b"p", fin=False),
    "bad-continuation": frame(0x0, b"x"),
    "interleaved-data": frame(0x1, b"a", fin=False) + frame(0x2, b"b"),
    "bad-close-code": frame(0x8, struct.pack("!H", 1005)),
    "close-1-byte": frame(0x8, b"\x03"),
    "ping": frame(0x9, b"raw-ping"),
}


def serve_one(conn, mode):
    with conn:
        if mode == "hang":
            time.sleep(60)
            return
        if mode == "partial-head-hang":
            # Starts answering, then stops: it did answer, so it is not a wrong address.
            read_head(conn)
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\n")
            time.sleep(60)
            return
        if mode == "close-after-head":
            # Reads the request (or a TLS ClientHello), then closes with a FIN: a server
            # restarting or a proxy dropping the connection before answering.
            conn.recv(65536)
            conn.shutdown(socket.SHUT_RDWR)
            return
        if mode == "reject":
            read_head(conn)
            body = b'{"err_code":"Bad Request","err_msg":"Invalid query string.","request_id":"req-42"}'
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\ndg-error: Invalid query string.\r\ndg-request-id: req-42\r\n"
                         b"Content-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            time.sleep(0.5)
            return
        if mode == "reject-huge-body":
            read_head(conn)
            body = b"x" * 200000
            conn.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n")
            try:
                conn.sendall(body)
            except OSError:
                pass
            time.sleep(0.5)
            return
        if mode == "reject-slow-body":
            read_head(conn)
            conn.sendall(b"HTTP/1.1 401 Unauthorized\r\ndg-error: Invalid credentials.\r\nContent-Length: 1000\r\n\r\npartial")
            time.sleep(30)  # never sends the rest
            return
        if mode == "reject-chunked":
            read_head(conn)
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\ndg-error: Model not allowed.\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"b\r\n{\"err_msg\":\r\n15\r\n\"Model not allowed.\"}\r\n0\r\n\r\n")
            time.sleep(30)  # keeps the connection open: the terminating chunk must end the read
            return
        if mode == "reject-chunked-hostile":
            # A chunk size near Int64.max: the client must clamp it, not overflow, and close.
            read_head(conn)
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n"
                         b"7fffffffffffffff\r\nno such chunk")
            time.sleep(0.5)
            return
        if mode == "bad-accept":
            handshake(conn, accept=b"d3Jvbmc=")
            time.sleep(1)
            return
        if mode == "accept-twice":
            # The right accept value, then a second, wrong one.
            handshake(conn, extra=b"Sec-WebSocket-Accept: d3Jvbmc=\r\n")
            time.sleep(1)
            return
        if mode in ("extension-twice", "subprotocol-twice"):
            # An empty field first, then one selecting what the client never offered.
            name = b"Sec-WebSocket-Extensions" if mode == "extension-twice" else b"Sec-WebSocket-Protocol"
            value = b"permessage-deflate" if mode == "extension-twice" else b"token"
            handshake(conn, extra=name + b":\r\n" + name + b": " + value + b"\r\n")
            time.sleep(1)
            return
        if mode == "interim-responses":
            # 100 Continue and 103 Early Hints before the 101 (RFC 9110 §15.2), as a proxy may
            # send; then one text message.
            if handshake(conn, interim=b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n"):
                conn.sendall(frame(0x1, b"after-interim"))
                read_frames(conn)
            return
        if not handshake(conn):
            return
        if mode == "close-then-hang":
            # A close frame (1001), then neither reading nor closing TCP, like a server whose
            # reading is paused: the client must not wait for the teardown to learn the close.
            conn.sendall(b"\x88\x02\x03\xe9")
            time.sleep(30)
            return
        if mode == "silent":
            # Never read, never write: a peer that is gone without closing.
            time.sleep(60)
            return
        if mode == "noread":
            time.sleep(60)
            return
        if mode == "noread-ping":
            # Never reads, but pings every 0.2 s: the client's heartbeat sees data coming while
            # nothing it sends is taken.
            for _ in range(300):
                try:
                    conn.sendall(frame(0x9, b"alive"))
                except OSError:
                    return
                time.sleep(0.2)
            return
        conn.sendall(MODES[mode])
        read_frames(conn)
        time.sleep(0.2)


def main():
    mode = sys.argv[1]
    if mode not in MODES and mode not in ("hang", "reject", "reject-chunked", "reject-chunked-hostile", "reject-huge-body", "reject-slow-body", "bad-accept", "accept-twice", "extension-twice", "subprotocol-twice", "silent", "noread", "noread-ping", "close-then-hang", "close-after-head", "interim-responses", "partial-head-hang"):
        sys.exit(f"unknown mode {mode}")
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if mode in ("noread", "noread-ping"):
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    print(f"PORT {srv.getsockname()[1]}", flush=True)
    # Exit when stdin closes (the test finished) so no peer outlives its test.
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve_one, args=(conn, mode), daemon=True).start()


if __name__ == "__main__":
    main()
