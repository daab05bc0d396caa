#!/usr/bin/env python3
"""Soak run: hours of audio through captty's live app (plain mode, journal on) at N× speed.

Server: the Deepgram-protocol TEST DOUBLE (Tests/Peers/deepgram_double.py, --word-names counter)
behind the loopback proxy Tests/Peers/fault_proxy.py, which logs every final Results frame it
forwards. Not `captty serve`: the offline engine cannot recognise 8× real time on 2 cores, and
the double's word names make every byte's fate checkable. The audio is a WAV whose samples are a
running uint32 counter, so a printed word names the audio it came from.

Asserts (exit 1 and FAIL lines when one does not hold), and reports the counts:
- RSS flat: mean VmRSS of the last quarter of the run within 10% of the first quarter's;
- no audio byte lost: bytes the server received (stats.json, per connection) = bytes in the file
  (plus replayed bytes if a reconnect happened), and the counters received cover the file;
- no final line lost or duplicated: the server's emitted finals (proxy log) = the lines captty
  printed = the finals in the journal, in order;
- the printed words run without gap or repeat from the first counter to the last.
Usage: soak.py [--hours H | --minutes M] [--speed 8] [--captty BIN] [--json OUT]
"""
import argparse
import array
import json
import os
import shlex
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KEY = "soak-key"
COUNTERS_PER_WORD = 4000


def write_counter_wav(path, seconds):
    n = int(seconds * 32000) // 4
    with open(path, "wb") as f:
        f.write(b"RIFF" + (36 + n * 4).to_bytes(4, "little") + b"WAVEfmt " + (16).to_bytes(4, "little"))
        f.write((1).to_bytes(2, "little") + (1).to_bytes(2, "little") + (16000).to_bytes(4, "little"))
        f.write((32000).to_bytes(4, "little") + (2).to_bytes(2, "little") + (16).to_bytes(2, "little"))
        f.write(b"data" + (n * 4).to_bytes(4, "little"))
        step = 1 << 20
        for start in range(0, n, step):
            f.write(array.array("I", range(start, min(n, start + step))).tobytes())
    return n


def start_peer(argv):
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if not line.startswith("PORT "):
        p.kill()
        raise SystemExit("peer did not start: %r" % argv)
    return p, int(line.split()[1])


def rss_kib(pid):
    """(VmRSS, RssAnon) in KiB, or None once the process is gone."""
    vals = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(("VmRSS:", "RssAnon:")):
                    vals[line.split(":")[0]] = int(line.split()[1])
    except OSError:
        return None
    return (vals["VmRSS"], vals["RssAnon"]) if len(vals) == 2 else None


def coverage(record_dir, total):
    """Counter ranges the server received, from its per-connection recordings."""
    ranges, discontinuities, nbytes = [], 0, 0
    for name in sorted(os.listdir(record_dir)):
        if not (name.startswith("conn-") and name.endswith(".bin")):
            continue
        prev = start = None
        with open(os.path.join(record_dir, name), "rb") as f:
            while True:
                block = f.read(4 << 20)
                if not block:
                    break
                nbytes += len(block)
                vals = array.array("I")
                vals.frombytes(block[: len(block) - len(block) % 4])
                if not vals:
                    continue
                if prev is None and vals[-1] == vals[0] + len(vals) - 1:
                    start, prev = vals[0], vals[-1]
                    continue
                if prev is not None and vals[0] == prev + 1 and vals[-1] == prev + len(vals):
                    prev = vals[-1]
                    continue
                for v in vals:
                    if prev is None:
                        start = v
                    elif v != prev + 1:
                        discontinuities += 1
                        ranges.append((start, prev))
                        start = v
                    prev = v
        if prev is not None:
            ranges.append((start, prev))
    missing, nxt = [], 0
    for a, b in sorted(ranges):
        if a > nxt:
            missing.append((nxt, a - 1))
        nxt = max(nxt, b + 1)
    if nxt < total:
        missing.append((nxt, total - 1))
    return nbytes, discontinuities, missing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hours", type=float)
    ap.add_argument("--minutes", type=float)
    ap.add_argument("--speed", type=float, default=8)
    ap.add_argument("--captty", default=os.path.join(ROOT, ".build/release/captty"))
    ap.add_argument("--json")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directory")
    ap.add_argument("--warmup", type=float, default=10,
                    help="seconds of samples left out of the RSS quarters (shared-library pages are touched lazily at start)")
    a = ap.parse_args()
    seconds = (a.minutes * 60 if a.minutes else (a.hours if a.hours else 2) * 3600)
    py = os.path.join(ROOT, ".venv/bin/python3")
    work = tempfile.mkdtemp(prefix="captty-soak-")
    wav = os.path.join(work, "counter.wav")
    total = write_counter_wav(wav, seconds)
    rec = os.path.join(work, "double")
    send_log = os.path.join(work, "sent.jsonl")
    double, dport = start_peer([py, os.path.join(ROOT, "Tests/Peers/deepgram_double.py"), "--api-key", KEY,
                                "--record-dir", rec, "--word-names", "counter", "--idle-timeout", "60"])
    proxy, pport = start_peer([py, os.path.join(ROOT, "Tests/Peers/fault_proxy.py"), "--upstream", str(dport),
                               "--send-log", send_log])
    journal = os.path.join(work, "journal.jsonl")
    argv = [a.captty, "--plain", "--file", wav, "--speed", "%g" % a.speed, "--engine", "deepgram",
            "--url", "ws://127.0.0.1:%d" % pport, "--journal", journal]
    env = dict(os.environ, DEEPGRAM_API_KEY=KEY, HOME=work)
    samples, out_lines, err_lines = [], [], []
    t0 = time.time()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    readers = [threading.Thread(target=lambda: out_lines.extend(l.decode().rstrip("\n") for l in p.stdout)),
               threading.Thread(target=lambda: err_lines.extend(l.decode().rstrip("\n") for l in p.stderr))]
    for t in readers:
        t.start()
    limit = seconds / a.speed * 2 + 120
    try:
        while p.poll() is None:
            r = rss_kib(p.pid)
            if r:
                samples.append((time.time() - t0, r))
            if time.time() - t0 > limit:
                p.kill()
                err_lines.append("soak: killed after %.0f s (limit)" % limit)
            time.sleep(1)
        for t in readers:
            t.join(30)
    finally:
        for q in (proxy, double):
            q.terminate()
            try:
                q.wait(5)
            except subprocess.TimeoutExpired:
                q.kill()
    wall = time.time() - t0
    stats = json.load(open(os.path.join(rec, "stats.json")))
    server_bytes = stats["total_bytes"]
    rec_bytes, discontinuities, missing = coverage(rec, total)
    sent_finals = []
    with open(send_log) as f:
        for row in f:
            e = json.loads(row)
            if e.get("type") == "Results" and e.get("final") and e.get("text"):
                sent_finals.append(e["text"])
    journal_finals = []
    with open(journal) as f:
        for i, row in enumerate(f):
            try:
                e = json.loads(row)
            except ValueError:
                journal_finals.append("<corrupt line %d>" % i)
                continue
            if e.get("type") == "final" and e.get("transcript"):
                journal_finals.append(e["transcript"])
    words = [int(w[1:]) for line in out_lines for w in line.split() if w.startswith("c") and w[1:].isdigit()]
    gaps = sum(1 for x, y in zip(words, words[1:]) if y - x != COUNTERS_PER_WORD)
    steady = [s for s in samples if s[0] >= a.warmup] or samples
    n = len(steady)
    q = max(1, n // 4)
    first = sum(r[0] for _, r in steady[:q]) / q if steady else 0
    last = sum(r[0] for _, r in steady[-q:]) / q if steady else 0
    first_anon = sum(r[1] for _, r in steady[:q]) / q if steady else 0
    last_anon = sum(r[1] for _, r in steady[-q:]) / q if steady else 0
    peak = max((r[0] for _, r in samples), default=0)
    checks = {
        "captty exited 0": p.returncode == 0,
        "RSS last quarter within 10% of first quarter": bool(samples) and last <= first * 1.10 and last >= first * 0.90,
        "server received every byte (stats.json total = file bytes, or more with replays)": server_bytes >= total * 4,
        "recorded counters cover the whole file": not missing and rec_bytes == server_bytes,
        "printed lines = server's emitted finals (none lost or duplicated)": out_lines == sent_finals,
        "journal finals = server's emitted finals": journal_finals == sent_finals,
        "printed words contiguous from c0 to the end": bool(words) and words[0] == 0 and gaps == 0
        and words[-1] + COUNTERS_PER_WORD >= total,
    }
    result = {
        "audio_s": seconds, "speed": a.speed, "wall_s": round(wall, 1), "file_bytes": total * 4,
        "server_bytes": server_bytes, "recorded_bytes": rec_bytes, "connections": len(stats["connections"]),
        "missing_counter_ranges": missing[:5], "discontinuities": discontinuities,
        "server_finals": len(sent_finals), "printed_lines": len(out_lines), "journal_finals": len(journal_finals),
        "printed_words": len(words), "word_gaps": gaps,
        "rss_first_quarter_kib": round(first), "rss_last_quarter_kib": round(last), "rss_peak_kib": peak,
        "rss_anon_first_quarter_kib": round(first_anon), "rss_anon_last_quarter_kib": round(last_anon),
        "rss_samples": n, "rss_warmup_s": a.warmup, "exit": p.returncode, "stderr_tail": err_lines[-4:], "checks": checks,
        "command": " ".join(shlex.quote(x) for x in argv),
    }
    if a.json:
        with open(a.json, "w") as f:
            json.dump(result, f, indent=1)
    print("## Soak: %.0f min of audio at %g× through captty live --plain (journal on)\n" % (seconds / 60, a.speed))
    print("- wall %.0f s; audio %d bytes in the file, %d received by the server over %d connection(s) (%d recorded, "
          "%d discontinuities, missing counter ranges: %s)" % (wall, total * 4, server_bytes, len(stats["connections"]),
                                                                 rec_bytes, discontinuities, missing[:3] or "none"))
    print("- finals: %d emitted by the server, %d lines printed, %d in the journal; %d words printed, %d gaps"
          % (len(sent_finals), len(out_lines), len(journal_finals), len(words), gaps))
    print("- RSS (VmRSS, %d samples at 1 s after a %g s warm-up): first quarter %.1f MiB, last quarter %.1f MiB (%+.1f%%), "
          "peak %.1f MiB; anonymous (heap) part: %.1f → %.1f MiB"
          % (n, a.warmup, first / 1024, last / 1024, (last / first - 1) * 100 if first else 0, peak / 1024,
             first_anon / 1024, last_anon / 1024))
    for name, ok in checks.items():
        print("- %s: %s" % ("ok" if ok else "FAIL", name))
    print("\nServer: the Deepgram-protocol test double behind the frame-logging proxy (the offline engine cannot run "
          "8× real time on 2 cores). Command: `scripts/soak %s`; client: `%s`"
          % (" ".join(shlex.quote(x) for x in sys.argv[1:]), result["command"].replace(work, "$WORK")))
    if not a.keep:
        subprocess.run(["rm", "-rf", work])
    else:
        print("\nScratch kept in %s" % work)
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
