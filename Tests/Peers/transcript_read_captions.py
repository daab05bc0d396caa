"""Reads a captty SRT or WebVTT export with third-party parsers (pysrt, webvtt-py).

usage: transcript_read_captions.py <file.srt|file.vtt>
Prints the cues as JSON ([{"start_ms", "end_ms", "text", "voice", "shown"}]) on stdout ("shown":
an SRT cue's text with markup tags removed, as a player shows it; null for WebVTT); exits 1 with
the parser's error on stderr when the file does not parse. Exits 3 when a parser is missing
(pip install webvtt-py==0.6.0 pysrt==1.1.2).
"""
import json
import sys

try:
    import pysrt
    import webvtt
except ImportError as e:
    print(f"missing parser: {e}", file=sys.stderr)
    sys.exit(3)


def vtt_ms(t):
    h, m, s = t.split(":")
    sec, ms = s.split(".")
    return ((int(h) * 60 + int(m)) * 60 + int(sec)) * 1000 + int(ms)


path = sys.argv[1]
try:
    if path.endswith(".srt"):
        cues = [{"start_ms": c.start.ordinal, "end_ms": c.end.ordinal, "text": c.text, "voice": None,
                 "shown": c.text_without_tags}
                for c in pysrt.open(path, encoding="utf-8", error_handling=pysrt.ERROR_RAISE)]
    else:
        cues = [{"start_ms": vtt_ms(c.start), "end_ms": vtt_ms(c.end), "text": c.text, "voice": c.voice, "shown": None}
                for c in webvtt.read(path)]
except Exception as e:
    print(f"does not parse: {type(e).__name__}: {e}", file=sys.stderr)
    sys.exit(1)
print(json.dumps(cues))
