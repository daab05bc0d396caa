#!/usr/bin/env python3
"""Headline benchmark harness: captty against the official Deepgram Python SDK on one stream.

Streams the same recording (a fixture looped to a few minutes, 16 kHz linear16) through the same
server at full speed and at real-time pace with each client, every client sending the same chunks
(50 ms by default; at real time also each size in --chunk-ms), and measures per client process:
- CPU seconds per audio hour: whole process (start-up included, wait4 rusage) and session only
  (minus the CPU the process had used when it wrote its "connecting" line, from /proc/PID/stat);
- peak RSS: VmHWM of the child polled every 10 ms until it exits (wait4 ru_maxrss is not used: on Linux it
  includes the forking harness's RSS from before exec);
- frame-to-screen delay: a loopback proxy (Tests/Peers/fault_proxy.py) stamps each final Results
  frame as it forwards it to the client; the harness stamps each line the client writes to its
  stdout pipe; lines and frames are matched by their text; p50/p99.
Server: the Deepgram-protocol test double (default), or `captty serve` (--server serve: the offline
engine behind the same proxy; real-time runs only, since at full speed the engine is the bottleneck).
Prints a Markdown section. Usage: measure.py --captty BIN [--rt-seconds S] [--chunk-ms 50,250]
[--server double|serve] [--json OUT]
"""
import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURE = os.environ.get("CAPTTY_FIXTURES", os.path.join(ROOT, "..", "shared", "fixtures", "deepgram"))
KEY = "bench-key"
FLOOR = "minimal C client (the floor; not a product)"
SDKS = ("Deepgram SDK 3.x API (v3.11)", "Deepgram SDK newest API (v7.17)")
TICK = os.sysconf("SC_CLK_TCK")


def make_audio(path, seconds_wanted, src):
    """A 16 kHz mono linear16 WAV: `src` converted by sox, looped to >= seconds_wanted."""
    tmp = path + ".one.wav"
    subprocess.run(["sox", src, "-r", "16000", "-c", "1", "-b", "16", tmp], check=True)
    with wave.open(tmp, "rb") as w:
        one = w.readframes(w.getnframes())
    loops = max(1, int(-(-seconds_wanted * 32000 // len(one))))
    with wave.open(path, "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
        w.writeframes(one * loops)
    os.remove(tmp)
    return len(one) * loops / 32000.0


def start_peer(args, **kw):
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, **kw)
    line = p.stdout.readline()
    if not line.startswith("PORT "):
        p.kill()
        raise SystemExit("peer %s did not start: %r" % (args, line))
    return p, int(line.split()[1])


def start_serve(captty, work):
    """`captty serve` on a free loopback port with a key file; returns (process, port)."""
    key_file = os.path.join(work, "serve.key")
    with open(key_file, "w") as f:
        f.write(KEY + "\n")
    os.chmod(key_file, 0o600)
    p = subprocess.Popen([captty, "serve", "--port", "0", "--api-key-file", key_file], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 120
    while time.time() < deadline:
        line = p.stdout.readline()
        if not line:
            break
        if "listening on ws://" in line:
            port = int(line.split("listening on ws://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
            threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
            return p, port
    p.kill()
    raise SystemExit("captty serve did not start")


def proc_cpu(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return None


def vm_hwm_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def run_client(name, argv, env, send_log, audio_s, timeout):
    log_start = os.path.getsize(send_log)
    lines = []
    marker = {}
    t0 = time.time()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)

    def read_out():
        for raw in p.stdout:
            lines.append((time.time(), raw.decode("utf-8", "replace").rstrip("\n")))

    def read_err():
        for raw in p.stderr:
            s = raw.decode("utf-8", "replace")
            if "connecting" in s and "cpu" not in marker:
                marker["cpu"] = proc_cpu(p.pid)
            marker.setdefault("stderr", []).append(s.rstrip())

    hwm = [0]
    done = threading.Event()

    def watch_rss():
        # VmHWM of the process's own address space (wait4's ru_maxrss would include the RSS of
        # this harness from before the child's exec). Polled until the process is a zombie.
        while not done.is_set():
            v = vm_hwm_kib(p.pid)
            if v:
                hwm[0] = max(hwm[0], v)
            done.wait(0.01)

    th = [threading.Thread(target=read_out), threading.Thread(target=read_err), threading.Thread(target=watch_rss)]
    for t in th:
        t.start()
    killer = threading.Timer(timeout, p.kill)
    killer.start()
    # Wait without reaping first, so the last VmHWM reading is taken after the child's last
    # allocation (a zombie has no memory map: /proc status then lacks VmHWM).
    os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
    done.set()
    _, status, ru = os.wait4(p.pid, 0)
    killer.cancel()
    p.returncode = os.waitstatus_to_exitcode(status)
    for t in th:
        t.join(10)
    wall = time.time() - t0
    cpu = ru.ru_utime + ru.ru_stime
    startup = marker.get("cpu") or 0.0
    # Each line is matched to the earliest final frame with its text not matched yet (a looped
    # recording sends the same text once per loop through `captty serve`).
    sent = {}
    finals = 0
    with open(send_log) as f:
        f.seek(log_start)
        for row in f:
            e = json.loads(row)
            if e.get("type") == "Results" and e.get("final") and e.get("text"):
                sent.setdefault(e["text"], []).append(e["t"])
                finals += 1
    delays, unmatched = [], 0
    for t, text in lines:
        if sent.get(text):
            delays.append((t - sent[text].pop(0)) * 1000)
        else:
            unmatched += 1
    res = {"name": name, "exit": p.returncode, "wall_s": wall, "cpu_s": cpu, "startup_cpu_s": startup,
           "session_cpu_s": cpu - startup, "cpu_s_per_audio_h": cpu / audio_s * 3600,
           "session_cpu_s_per_audio_h": (cpu - startup) / audio_s * 3600,
           "peak_rss_mib": hwm[0] / 1024.0, "ru_maxrss_mib": ru.ru_maxrss / 1024.0, "lines": len(lines), "finals_sent": finals,
           "matched": len(delays), "unmatched": unmatched, "command": " ".join(shlex.quote(a) for a in argv)}
    if delays:
        d = sorted(delays)
        res["delay_p50_ms"] = d[len(d) // 2]
        res["delay_p99_ms"] = d[min(len(d) - 1, int(len(d) * 0.99))]
        res["delay_max_ms"] = d[-1]
    if p.returncode != 0:
        res["stderr_tail"] = marker.get("stderr", [])[-5:]
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--captty", default=os.path.join(ROOT, ".build/release/captty"))
    ap.add_argument("--full-seconds", type=float, default=3600, help="audio length for the full-speed runs")
    ap.add_argument("--rt-seconds", type=float, default=60, help="audio length for the real-time runs")
    ap.add_argument("--chunk-ms", default="50,250", help="chunk sizes (ms) for the real-time runs; the first also at full speed")
    ap.add_argument("--server", choices=("double", "serve"), default="double")
    ap.add_argument("--only", default="", help="comma-separated client names to run")
    ap.add_argument("--static-captty", help="also run this captty build (e.g. --static-swift-stdlib) in plain mode")
    ap.add_argument("--json")
    a = ap.parse_args()
    chunks = [int(c) for c in a.chunk_ms.split(",") if c]
    py_new = os.path.join(ROOT, ".venv/bin/python3")
    py_v3 = os.path.join(ROOT, ".venv-dg3/bin/python3")
    here = os.path.dirname(os.path.abspath(__file__))
    work = tempfile.mkdtemp(prefix="captty-headline-")
    src = os.path.join(FIXTURE, "audio", "preamble-rest.wav")
    full_wav, rt_wav = os.path.join(work, "full.wav"), os.path.join(work, "rt.wav")
    full_s = make_audio(full_wav, a.full_seconds, src) if a.server == "double" else 0
    rt_s = make_audio(rt_wav, a.rt_seconds, src)
    floor_bin = os.path.join(work, "floor_client")
    subprocess.run(["cc", "-O2", "-o", floor_bin, os.path.join(here, "floor_client.c")], check=True)
    send_log = os.path.join(work, "sent.jsonl")
    open(send_log, "w").close()
    if a.server == "serve":
        server, sport = start_serve(a.captty, work)
    else:
        server, sport = start_peer([py_new, os.path.join(ROOT, "Tests/Peers/deepgram_double.py"), "--api-key", KEY,
                                    "--idle-timeout", "30"])
    proxy, pport = start_peer([py_new, os.path.join(ROOT, "Tests/Peers/fault_proxy.py"), "--upstream", str(sport),
                               "--send-log", send_log])
    url = "ws://127.0.0.1:%d" % pport
    http = "http://127.0.0.1:%d" % pport
    env = dict(os.environ, DEEPGRAM_API_KEY=KEY, HOME=work)
    runs = [(1, rt_wav, rt_s, c) for c in chunks]
    if a.server == "double":
        runs.insert(0, (0, full_wav, full_s, chunks[0]))
    results = []
    try:
        for speed, wav, secs, ms in runs:
            live = ["--plain", "--file", wav, "--engine", "deepgram", "--url", url, "--speed", str(speed), "--chunk-ms", str(ms)]
            clients = [
                ("captty live --plain", [a.captty] + live + ["--no-journal"]),
                ("captty live --plain + journal", [a.captty] + live + ["--journal", os.path.join(work, "j-%d-%d.jsonl" % (speed, ms))]),
                ("Deepgram SDK 3.x API (v3.11)", [py_v3, os.path.join(here, "sdk_v3_client.py"), http, wav, str(speed), KEY, str(ms)]),
                ("Deepgram SDK newest API (v7.17)", [py_new, os.path.join(here, "sdk_current_client.py"), http, wav,
                                                     str(speed), KEY, str(ms)]),
                (FLOOR, [floor_bin, "127.0.0.1", str(pport), wav, str(speed), str(ms)]),
            ]
            if a.static_captty:
                clients.insert(1, ("captty live --plain (static Swift runtime, as installed)", [a.static_captty] + live + ["--no-journal"]))
            if speed == 0:
                clients.insert(1, ("captty transcribe", [a.captty, "transcribe", wav, "--engine", "deepgram", "--url", url,
                                                         "-o", os.path.join(work, "t.txt")]))
            for name, argv in clients:
                if a.only and not any(o and o in name for o in a.only.split(",")):
                    continue
                r = run_client(name, argv, env, send_log, secs, timeout=max(120, secs * 3))
                r["speed"] = "full" if speed == 0 else "real-time"
                r["audio_s"] = secs
                r["chunk_ms"] = 250 if name == "captty transcribe" else ms
                results.append(r)
                print("headline: %s @ %s, %d ms: %.2f CPU s/audio h (session %.2f), %.1f MiB, p99 %s ms" % (
                    name, r["speed"], r["chunk_ms"], r["cpu_s_per_audio_h"], r["session_cpu_s_per_audio_h"],
                    r["peak_rss_mib"], r.get("delay_p99_ms")), file=sys.stderr)
    finally:
        for p in (proxy, server):
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    report(results, a)


def fmt(v, spec="%.1f"):
    return "–" if v is None else spec % v


def report(results, a):
    serve = a.server == "serve"
    if serve:
        print("## Headline against `captty serve`: captty vs the official Deepgram Python SDK\n")
        print("The same comparison with `captty serve` (offline engine) as the server, behind the same stamping proxy, "
              "at real-time pace only: the engine's own CPU is the server's, not the client's, but at full speed it "
              "would be the bottleneck. Lines are matched to the server's final frames by their text.\n")
    else:
        print("## Headline: captty vs the official Deepgram Python SDK\n")
        print("Same recording (`preamble-rest.wav` → 16 kHz linear16, looped), same server, one client at a time, every "
              "client sending the same chunks (the chunk column; `captty transcribe` picks its own). Server: the "
              "Deepgram-protocol **test double** `Tests/Peers/deepgram_double.py` (Python `websockets`), behind "
              "the loopback proxy `Tests/Peers/fault_proxy.py` that stamps every final Results frame as it leaves for the "
              "client. The double, because `captty serve`'s offline engine would share the 2 cores with the client being "
              "measured (at full speed it is the bottleneck); the next section repeats the real-time runs against "
              "`captty serve`.\n")
    print("| client | pace | chunk ms | audio s | CPU s / audio h (all) | CPU s / audio h (session) | peak RSS MiB | lines (matched/sent) | frame→line p50 ms | p99 ms | max ms | exit |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        print("| %s | %s | %d | %.0f | %.1f | %.1f | %.1f | %d (%d/%d) | %s | %s | %s | %d |" % (
            r["name"], r["speed"], r["chunk_ms"], r["audio_s"], r["cpu_s_per_audio_h"], r["session_cpu_s_per_audio_h"],
            r["peak_rss_mib"], r["lines"], r["matched"], r["finals_sent"], fmt(r.get("delay_p50_ms"), "%.2f"),
            fmt(r.get("delay_p99_ms"), "%.2f"), fmt(r.get("delay_max_ms"), "%.2f"), r["exit"]))
    print()
    by = {(r["name"], r["speed"], r["chunk_ms"]): r for r in results}
    groups = list(dict.fromkeys((r["speed"], r["chunk_ms"]) for r in results if r["name"] != "captty transcribe"))
    print("Ratios (same run, same chunks; > 1 means the first uses less):\n")
    captties = [n for n in dict.fromkeys(r["name"] for r in results) if n.startswith("captty live")]
    for speed, ms in groups:
        for cn in captties:
            c = by.get((cn, speed, ms))
            if not c:
                continue
            for peer in SDKS + (FLOOR,):
                s = by.get((peer, speed, ms))
                if not s:
                    continue
                print("- %s, %d ms, %s vs %s: CPU all %.1f×, CPU session %.1f×, peak RSS %.1f×" % (
                    speed, ms, cn, peer, s["cpu_s"] / max(c["cpu_s"], 1e-9),
                    s["session_cpu_s"] / max(c["session_cpu_s"], 1e-9), s["peak_rss_mib"] / max(c["peak_rss_mib"], 1e-9)))
        f = by.get((FLOOR, speed, ms))
        for sdk in SDKS:
            s = by.get((sdk, speed, ms))
            if f and s:
                print("- %s, %d ms, the floor vs %s: CPU all %.1f×, CPU session %.1f× (the most any client could save)" % (
                    speed, ms, sdk, s["cpu_s"] / max(f["cpu_s"], 1e-9), s["session_cpu_s"] / max(f["session_cpu_s"], 1e-9)))
    print()
    print("Targets: ≥10× less CPU per audio hour than the official Python SDK client; peak RSS < 30 MB on the cloud path; "
          "frame-to-screen delay < 35 ms p99. CPU is judged on the whole process (all) and on the session alone "
          "(what an hour-long session costs, start-up aside).\n")
    for r in results:
        if r["name"].startswith("captty live"):
            peers = [by[(sdk, r["speed"], r["chunk_ms"])] for sdk in SDKS if (sdk, r["speed"], r["chunk_ms"]) in by]
            worst = min((p["cpu_s"] / max(r["cpu_s"], 1e-9) for p in peers), default=None)
            worst_s = min((p["session_cpu_s"] / max(r["session_cpu_s"], 1e-9) for p in peers), default=None)
            print("- %s @ %s, %d ms: CPU vs the SDKs %s× all, %s× session (%s), peak RSS %.1f MiB = %.1f MB (%s), p99 %s ms (%s)" % (
                r["name"], r["speed"], r["chunk_ms"], fmt(worst), fmt(worst_s),
                "met" if worst is not None and worst >= 10 and worst_s >= 10 else "MISSED",
                r["peak_rss_mib"], r["peak_rss_mib"] * 1.048576, "met" if r["peak_rss_mib"] * 1.048576 < 30 else "MISSED",
                fmt(r.get("delay_p99_ms"), "%.2f"),
                "met" if r.get("delay_p99_ms") is not None and r["delay_p99_ms"] < 35 else "MISSED"))
    print()
    print("Machine: %d cores, %s, %s. A shared virtual machine: absolute numbers move by ±15%% between runs "
          "(ratios from one run are what counts)." % (os.cpu_count(), platform.platform(), cpu_model()))
    print()
    print("Commands (each client alone, in this order):\n")
    print("```")
    print("Benchmarks/%s/run   # = swift build -c release && %s" % ("headline-serve" if serve else "headline",
                                                                  " ".join(shlex.quote(x) for x in sys.argv)))
    for r in results:
        print(r["command"])
    print("```")


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


if __name__ == "__main__":
    main()
