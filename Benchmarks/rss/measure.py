"""Samples captty's VmHWM/VmRSS and smaps while it captions a WAV in real time against the
Deepgram test double (a named test double: Deepgram is unreachable here). Run by Benchmarks/rss/run."""
import argparse, collections, os, re, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SRC = "/work/shared/fixtures/deepgram/audio/preamble-rest.wav"

def status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS", "RssAnon", "RssFile"):
                out[k] = int(v.split()[0])
    return out

def smaps(pid):
    """Rss (KiB) per mapping name, and per name+perms."""
    by_name, by_perm = collections.Counter(), collections.Counter()
    name, perms = None, None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                parts = line.split()
                perms = parts[1]
                name = os.path.basename(parts[5]) if len(parts) > 5 else "[anon]"
            elif line.startswith("Rss:"):
                kb = int(line.split()[1])
                by_name[name] += kb
                by_perm[(name, perms)] += kb
    return by_name, by_perm

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--captty", required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--tls", action="store_true", help="wss:// through a TLS front (tls_front.py)")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="captty-rss-")
    wav = os.path.join(tmp, "in.wav")
    subprocess.run(["sox", "-V1", SRC, "-r", "16000", "-c", "1", "-b", "16", wav, "trim", "0", str(a.seconds)], check=True)
    dur = float(subprocess.run(["soxi", "-D", wav], capture_output=True, text=True, check=True).stdout)
    py = os.path.join(ROOT, ".venv", "bin", "python3")
    front = None
    peer = subprocess.Popen([py, os.path.join(ROOT, "Tests/Peers/deepgram_double.py"), "--api-key", "k",
                             "--idle-timeout", "30"], stdout=subprocess.PIPE, text=True)
    try:
        port = None
        deadline = time.time() + 30
        while time.time() < deadline:
            line = peer.stdout.readline()
            if line.startswith("PORT"):
                port = int(line.split()[1]); break
        if port is None:
            sys.exit("rss: test double did not print its port")
        url, extra = f"ws://127.0.0.1:{port}", []
        if a.tls:
            cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
                           check=True, capture_output=True)
            front = subprocess.Popen([py, os.path.join(ROOT, "Benchmarks/rss/tls_front.py"), cert, key, str(port)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            line = front.stdout.readline()
            if not line.startswith("PORT"):
                sys.exit("rss: TLS front did not print its port")
            url, extra = f"wss://127.0.0.1:{line.split()[1]}", ["--ca-file", cert]
        cmd = [a.captty, "--plain", "--file", wav, "--engine", "deepgram", "--url", url,
               "--speed", "1", "--no-journal"] + extra
        env = dict(os.environ, DEEPGRAM_API_KEY="k", HOME=tmp, XDG_STATE_HOME=tmp, XDG_CONFIG_HOME=tmp)
        p = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        peak, peak_smaps, last_smaps = {}, None, None
        start = time.time()
        try:
            while p.poll() is None and time.time() - start < dur + 60:
                try:
                    st = status(p.pid)
                    sm = smaps(p.pid)
                except (FileNotFoundError, ProcessLookupError, PermissionError):
                    break
                if st.get("VmRSS", 0) >= peak.get("VmRSS", 0):
                    peak_smaps = sm
                peak = {k: max(v, peak.get(k, 0)) for k, v in st.items()}
                last_smaps = sm
                time.sleep(0.2)
        finally:
            if p.poll() is None:
                p.kill()
            _, err = p.communicate(timeout=10)
        elapsed = time.time() - start
    finally:
        peer.kill(); peer.wait(timeout=10)
        if front is not None:
            front.kill(); front.wait(timeout=10)
    if p.returncode != 0:
        sys.stderr.write(err)
        sys.exit(f"rss: captty exited {p.returncode}")
    by_name, by_perm = peak_smaps or last_smaps
    title = {"dynamic": "release build, dynamic Swift runtime", "static": "release build, --static-swift-stdlib"}
    print(f"## captty peak RSS, cloud path, {'wss:// (TLS)' if a.tls else 'ws://'} ({title.get(a.label, a.label)})\n")
    print(f"- audio: {dur:.1f} s, 16 kHz mono s16, real time (--speed 1); wall {elapsed:.1f} s")
    print(f"- VmHWM: {peak.get('VmHWM', 0)} KiB = {peak.get('VmHWM', 0) / 1024:.1f} MiB "
          f"(max sampled VmRSS {peak.get('VmRSS', 0)} KiB; RssAnon {peak.get('RssAnon', 0)}, RssFile {peak.get('RssFile', 0)})")
    libs = sorted(n for n in by_name if ".so" in n)
    print(f"- shared objects mapped: {len(libs)}\n")
    print("| mapping | Rss KiB | of which r-xp |\n|---|---:|---:|")
    for name, kb in by_name.most_common():
        if kb < 40: continue
        print(f"| {name} | {kb} | {by_perm.get((name, 'r-xp'), 0)} |")
    print(f"| **total (sampled)** | {sum(by_name.values())} | |")
    print("\nMapped: " + ", ".join(libs))
    how = {"dynamic": " --dynamic", "static": " --static"}.get(a.label, " --no-build " + a.label)
    how = (" --tls" if a.tls else "") + how
    print("\nReproduce: `Benchmarks/rss/run" + how + "`  (runs: "
          + " ".join(cmd[:1] + ["--plain", "--file", "X.wav", "--engine", "deepgram", "--url", url.rsplit(":", 1)[0] + ":PORT",
                                "--speed", "1", "--no-journal"] + (["--ca-file", "CERT"] if a.tls else [])) + " with DEEPGRAM_API_KEY=k)")

main()
