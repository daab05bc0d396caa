"""Reads a captty JSON export with the official Deepgram Python SDK's response model.

usage: transcript_read_deepgram_json.py <export.json>
Prints a JSON summary (what the SDK parsed) on stdout; exits 1 with the SDK's validation
error on stderr when the file is not a valid Deepgram /v1/listen response.
"""
import json
import sys

from deepgram.types import ListenV1Response

try:
    with open(sys.argv[1], encoding="utf-8") as f:
        r = ListenV1Response.model_validate(json.load(f))
except Exception as e:  # the SDK's pydantic ValidationError, or bad JSON
    print(f"not a Deepgram response: {e}", file=sys.stderr)
    sys.exit(1)

alt = r.results.channels[0].alternatives[0]
print(json.dumps({
    "channels": len(r.results.channels),
    "transcript": alt.transcript,
    "words": [w.punctuated_word for w in alt.words],
    "speakers": [w.speaker for w in alt.words],
    "utterances": [u.transcript for u in (r.results.utterances or [])],
    "duration": r.metadata.duration,
    "search": [{"query": s.query, "hits": [[h.start, h.end, h.snippet] for h in (s.hits or [])]}
               for s in (r.results.channels[0].search or [])],
    "entities": [[e.label, e.value, e.raw_value, int(e.start_word), int(e.end_word),
                  " ".join(w.word for w in alt.words[int(e.start_word):int(e.end_word)])]
                 for e in (alt.entities or [])],
    "request_id": r.metadata.request_id,
    # Not a declared field: the model keeps unknown ones (extra="allow").
    "extra": getattr(r.metadata, "extra", None),
}))
