"""Client-side WebSocket frames (RFC 6455 section 5.2) for the raw-socket probes.

The probes speak the wire format by hand where the `websockets` library would refuse to misbehave
(bursts, oversized frames, half-sent frames). Shared so every probe builds frames the same way.
"""
import os
import struct


def mask_frame(opcode, payload, zero_mask=False):
    """One final, masked client frame. `zero_mask` uses the all-zero mask (still a valid masked
    frame, RFC 6455 5.3), which keeps multi-megabyte payloads cheap to build."""
    n = len(payload)
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    if zero_mask:
        return head + b"\0\0\0\0" + payload
    m = os.urandom(4)
    return head + m + bytes(b ^ m[i % 4] for i, b in enumerate(payload))
