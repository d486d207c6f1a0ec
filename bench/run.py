#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""make bench: kakekomi measured on this machine, in one run, next to
Prometheus Alertmanager doing the same receive -> route -> notify work.

  python3 bench/run.py [--build DIR] [--seconds S] [--levels 1,4,16,64]
                       [--reports N] [--only peer,xmpp,load,stats] [--keep]

- peer: Alertmanager (group_wait 0s) and a webhook receiver
  (build/bench/kk-bench-webhook): POST -> webhook, one alert at a time.
- xmpp: report -> XMPP alert at the specialist's client through a real
  Prosody (build/bench/kk-bench-xmpp).
- load: at each concurrency for S seconds, wrk POSTs /api/v1/cases
  (bench/intake.lua, every report different) to kakekomid with its store on
  disk (SQLite WAL, synchronous=FULL) and a roster, so routing runs; then
  /api/v2/alerts (bench/alerts.lua) to Alertmanager. Each a fresh process.
- memory: VmRSS of both, idle after start and right after each load run.
- stats: query times from `make bench-stats`, when the Makefile has it.

Prints the figures as it goes and a table at the end with DESIGN.md's
targets, the ratios and met / not met, and writes the table with the
machine's description to bench/results/LATEST.md. Nothing here asserts a
time: the exit status is 0 when every part ran, 1 when one could not
(the table is written all the same, with what was measured).
"""

import argparse
import ctypes
import datetime
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(SRC, "bench")
MIB = 1024.0
DOMAIN = "kk.bench"
REGIONS = ["hokkaido", "tohoku", "kanto", "chubu", "kinki", "chugoku", "shikoku",
           "kyushu_okinawa"]
LIBS = ["libuv", "libmicrohttpd", "sqlite3", "jansson", "libsodium", "inih", "libstrophe",
        "libcurl"]

# DESIGN.md, "Performance budget".
TARGET_INTAKE_RATIO = 1.5
TARGET_P99_MS = 20.0
TARGET_RSS_MIB = 32.0
TARGET_STATS_MS = 200.0

_children = []


def say(*args):
    print(*args, flush=True)


def note(text):
    print("bench: " + text, file=sys.stderr, flush=True)


def _die_with_parent():
    # PR_SET_PDEATHSIG = 1: the child gets SIGTERM when this process ends.
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


def spawn(argv, log_path=None, **kw):
    """Start a child that dies with us; stdout and stderr go to log_path."""
    out = open(log_path, "ab") if log_path else None
    try:
        p = subprocess.Popen(argv, stdin=kw.pop("stdin", subprocess.DEVNULL),
                             stdout=kw.pop("stdout", out), stderr=kw.pop("stderr", out),
                             preexec_fn=_die_with_parent, **kw)
    finally:
        if out:
            out.close()
    _children.append(p)
    return p


def stop(p, timeout=15.0):
    """SIGTERM, wait, SIGKILL when it does not go. Returns the exit code."""
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p in _children:
        _children.remove(p)
    return p.returncode


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=2.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, OSError):
        return 0, b""


def wait_http(url, proc, what, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s ended during start-up (exit %s)" % (what, proc.returncode))
        status, _ = http_get(url, 1.0)
        if status == 200:
            return
        time.sleep(0.05)
    raise RuntimeError("%s did not answer %s within %.0f s" % (what, url, timeout))


def proc_number(pid, name, key):
    """The number after KEY on its line of /proc/PID/NAME, or None."""
    try:
        with open("/proc/%d/%s" % (pid, name)) as f:
            for line in f:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def rss_kib(pid):
    return proc_number(pid, "status", "VmRSS:")


def cpu_ticks(pid):
    """utime + stime of pid in clock ticks, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    except (OSError, IndexError, ValueError):
        return None


def write_bytes(pid):
    """Bytes pid has sent to the storage layer (/proc/PID/io), or None."""
    return proc_number(pid, "io", "write_bytes:")


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def first_line(argv):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=20)
        text = (r.stdout or "") + (r.stderr or "")
        return text.strip().splitlines()[0] if text.strip() else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def fs_type(path):
    r = subprocess.run(["findmnt", "-n", "-o", "FSTYPE", "-T", path], capture_output=True,
                       text=True)
    if r.returncode != 0 or not r.stdout.strip():
        r = subprocess.run(["stat", "-f", "-c", "%T", path], capture_output=True, text=True)
    return r.stdout.strip() or "?"


def run_wrk(script, url, conns, seconds, tag):
    """One wrk run; returns a dict of what its done() printed, plus rps."""
    env = dict(os.environ, KK_BENCH_RUN=tag)
    argv = ["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, "--timeout", "5s",
            "-s", os.path.join(BENCH, script), url]
    r = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=BENCH,
                       timeout=seconds + 60)
    m = re.search(r"^WRK (.*)$", r.stdout, re.M)
    if r.returncode != 0 or not m:
        raise RuntimeError("wrk failed (exit %d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
    d = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    d["rps"] = d["requests"] / (d["duration_us"] / 1e6)
    d["errors"] = d["connect"] + d["read"] + d["write"] + d["status"] + d["timeout"]
    d["conns"] = conns
    return d


def load_level(what, script, url, pid, conns, seconds, tag):
    """One wrk run at conns connections; also the server's CPU use meanwhile."""
    hz = os.sysconf("SC_CLK_TCK")
    t0, w0 = cpu_ticks(pid), write_bytes(pid)
    d = run_wrk(script, url, conns, seconds, "%s-c%d" % (tag, conns))
    t1, w1 = cpu_ticks(pid), write_bytes(pid)
    d["disk_per_req"] = ((w1 - w0) / d["requests"] if w0 is not None and w1 is not None
                         and d["requests"] else None)
    d["cpu"] = ((t1 - t0) / hz) / (d["duration_us"] / 1e6) if t0 is not None and t1 else None
    d["cpu_ms_per_req"] = ((t1 - t0) / hz * 1e3 / d["requests"]
                           if t0 is not None and t1 and d["requests"] else None)
    d["rss_after"] = rss_kib(pid)
    say("  %-13s %3d conn: %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %d  "
        "server CPU %s  disk %s/request  RSS after %s" % (
            what, conns, d["rps"], d["p50_us"] / 1e3, d["p99_us"] / 1e3, d["errors"],
            "%.0f%%" % (100 * d["cpu"]) if d["cpu"] is not None else "?",
            fmt_kib(d["disk_per_req"]), fmt_mib(d["rss_after"])))
    return d


def parse_results(text):
    res = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "RESULT":
            try:
                res[parts[1]] = float(parts[2])
            except ValueError:
                pass
    return res


def write_roster(path):
    """Two specialists per prefecture (one for every type, one for intrusions)
    and a pool per region: enough for every report to be routed."""
    with open(path, "w") as f:
        f.write("id,name,jid,email,phone,prefectures,specialties,languages,onsite,"
                "first_consult_free,active\n")
        for p in range(1, 48):
            f.write("p%02d-a,Bench %02d A,p%02d-a@%s,,,%02d,all,ja;en,yes,no,yes\n"
                    % (p, p, p, DOMAIN, p))
            f.write("p%02d-b,Bench %02d B,p%02d-b@%s,,,%02d,ransomware;malware;"
                    "unauthorized_access,ja,no,no,yes\n" % (p, p, p, DOMAIN, p))
        for r in REGIONS:
            f.write("r-%s,Bench %s,r-%s@%s,,,%s,all,ja;en,no,no,yes\n" % (r, r, r, DOMAIN, r))
    return 47 * 2 + len(REGIONS)


# ---------------------------------------------------------------- parts

def kk_prepare(a, d, R):
    """A fresh folder d with a config, a roster imported into a new store."""
    os.makedirs(d)
    port = free_port()
    conf = os.path.join(d, "kakekomi.conf")
    db = os.path.join(d, "kakekomi.db")
    with open(os.path.join(SRC, "daemon", "config.c")) as f:
        config_c = f.read()
    per_addr = ""
    if '"max_per_address"' in config_c:
        per_addr = ("# wrk opens up to %d connections from one address.\n"
                    "max_per_address = 4096\n" % max(a.levels))
    with open(conf, "w") as f:
        f.write("""# make bench: durable intake. No [xmpp]: alerts wait in the outbox.
[http]
listen = 127.0.0.1:{port}
web_dir = {src}/web
max_connections = 4096
{per_addr}# The per-address intake limit is off for the bench (one client sends
# everything); 127.0.0.1 is also exempt by default.
rate_per_minute = 0
[store]
path = {db}
[playbooks]
dir = {src}/playbooks
[log]
level = info
[escalation]
steps = 6h
repeat = 1
""".format(port=port, src=SRC, db=db, per_addr=per_addr))
    roster = os.path.join(d, "roster.csv")
    n = write_roster(roster)
    r = subprocess.run([os.path.join(a.build, "kakekomictl"), "-c", conf, "roster", "import",
                        roster], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError("kakekomictl roster import: %s%s" % (r.stdout, r.stderr))
    R["store_fs"] = fs_type(d)
    R["intake_config"] = ("store in %s on %s (WAL, synchronous=FULL), a new one for each "
                          "concurrency; roster of %d specialists (two per prefecture, a pool "
                          "per region); [http] rate_per_minute = 0 (no per-address intake "
                          "limit)%s; log level info to a file; no XMPP (alerts wait in the "
                          "outbox)" % (os.path.relpath(os.path.dirname(d), SRC), R["store_fs"],
                                       n, ", max_per_address = 4096" if per_addr else ""))
    return conf, "http://127.0.0.1:%d" % port


AM_CONFIG = """# make bench: Alertmanager as the peer. Every alert has its own labels and
# group_by: ['...'] makes each its own group, so with group_wait: 0s each is
# notified at once, as kakekomi alerts each new case at once.
global:
  resolve_timeout: 1h
route:
  receiver: bench
  group_by: ['...']
  group_wait: 0s
  group_interval: {group_interval}
  repeat_interval: {repeat_interval}
receivers:
  - name: bench
    webhook_configs:
      - url: http://127.0.0.1:{hook_port}/alert
        send_resolved: false
"""


class Receiver:
    """build/bench/kk-bench-webhook driven over its stdin and stdout."""

    def __init__(self, build, log):
        self.p = spawn([os.path.join(build, "bench", "kk-bench-webhook")], stdin=subprocess.PIPE,
                       stdout=subprocess.PIPE, stderr=open(log, "ab"), text=True, bufsize=1)
        line = self.p.stdout.readline().split()
        if len(line) != 2 or line[0] != "LISTEN":
            raise RuntimeError("kk-bench-webhook did not start; see " + log)
        self.port = int(line[1])

    def ask(self, command):
        self.p.stdin.write(command + "\n")
        self.p.stdin.flush()
        lines = []
        while True:
            line = self.p.stdout.readline()
            if line == "" or line.strip() == "DONE":
                break
            lines.append(line)
        return parse_results("".join(lines))

    def close(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        stop(self.p, 5)


def am_start(a, d, hook_port, R):
    os.makedirs(os.path.join(d, "data"))
    port = free_port()
    conf = os.path.join(d, "alertmanager.yml")
    with open(conf, "w") as f:
        f.write(AM_CONFIG.format(hook_port=hook_port, group_interval=a.group_interval,
                                 repeat_interval=a.repeat_interval))
    R["am_config"] = ("group_by ['...'], group_wait 0s, group_interval %s, repeat_interval %s "
                      "(Alertmanager's defaults for these two), "
                      "webhook receiver in C (send_resolved false), no clustering, "
                      "--storage.path on %s, a new instance for the latency run and for each "
                      "concurrency" % (a.group_interval, a.repeat_interval, fs_type(d)))
    base = "http://127.0.0.1:%d" % port
    p = spawn(["prometheus-alertmanager", "--config.file=" + conf,
               "--storage.path=" + os.path.join(d, "data"),
               "--web.listen-address=127.0.0.1:%d" % port, "--cluster.listen-address="],
              os.path.join(d, "alertmanager.log"))
    try:
        wait_http(base + "/-/ready", p, "Alertmanager")
    except RuntimeError:
        stop(p)
        raise
    return p, base


def kk_run(a, work, R, c):
    """A fresh kakekomid and store; wrk at c connections; the figures."""
    d = os.path.join(work, "intake-c%d" % c)
    conf, base = kk_prepare(a, d, R)
    log = os.path.join(d, "kakekomid.log")
    p = spawn([os.path.join(a.build, "kakekomid"), "-c", conf], log)
    try:
        wait_http(base + "/healthz", p, "kakekomid")
        if "kk_rss_idle" not in R:
            time.sleep(1.0)
            R["kk_rss_idle"] = rss_kib(p.pid)
            say("  kakekomid idle after start: VmRSS %s" % fmt_mib(R["kk_rss_idle"]))
        x = load_level("kakekomi", "intake.lua", base + "/", p.pid, c, a.seconds, "kk")
        _, body = http_get(base + "/healthz")
        try:
            x["stored"] = json.loads(body).get("cases")
        except ValueError:
            x["stored"] = None
    finally:
        code = stop(p)
    if code != 0:
        R.setdefault("kk_exit_bad", []).append((c, code))
        note("kakekomid exited %s after SIGTERM; see %s" % (code, log))
    x["pending"] = outbox_pending(os.path.join(d, "kakekomi.db"))
    say("  %27s cases in the store: %s; 2xx answers counted by wrk: %d; alerts waiting in "
        "the outbox (no XMPP): %s" % ("", x.get("stored"), x["requests"] - x["status"],
                                      x["pending"]))
    return x


def outbox_pending(db):
    """Rows of the store's outbox still waiting to be sent, or None."""
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)
        try:
            return con.execute("SELECT count(*) FROM outbox WHERE state = 'pending'"
                               ).fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return None


def am_run(a, work, R, hook, c):
    """A fresh Alertmanager; wrk at c connections; the figures."""
    before = hook.ask("count").get("am_webhook_alerts", 0)
    p, base = am_start(a, os.path.join(work, "alertmanager", "ingest-c%d" % c), hook.port, R)
    try:
        x = load_level("Alertmanager", "alerts.lua", base + "/", p.pid, c, a.seconds, "am")
        time.sleep(1.0)
        x["hooked"] = hook.ask("count").get("am_webhook_alerts", 0) - before
    finally:
        stop(p)
    say("  %27s alerts notified to the webhook (within 1 s of the end): %d; 2xx answers "
        "counted by wrk: %d" % ("", x["hooked"], x["requests"] - x["status"]))
    return x


def part_load(a, work, R, hook):
    say("\n== Load: durable intake (POST /api/v1/cases) and Alertmanager ingest "
        "(POST /api/v2/alerts), %d s at each concurrency, one after the other ==" % a.seconds)
    R["kk_intake"], R["am_ingest"] = [], []
    for c in a.levels:
        R["kk_intake"].append(kk_run(a, work, R, c))
        if c == a.levels[0]:
            say("  (kakekomi: %s)" % R["intake_config"])
        R["am_ingest"].append(am_run(a, work, R, hook, c))
        k, m = R["kk_intake"][-1]["rps"], R["am_ingest"][-1]["rps"]
        say("  %27s ratio kakekomi / Alertmanager: %.2f" % ("", k / m if m else float("nan")))
    R["kk_rss_load"] = max((x["rss_after"] or 0) for x in R["kk_intake"]) or None
    R["am_rss_load"] = max((x["rss_after"] or 0) for x in R["am_ingest"]) or None


def part_peer(a, work, R, hook):
    say("\n== Alertmanager: POST -> webhook, one alert at a time ==")
    p, base = am_start(a, os.path.join(work, "alertmanager", "latency"), hook.port, R)
    say("  " + R["am_config"])
    try:
        time.sleep(1.0)
        R["am_rss_idle"] = rss_kib(p.pid)
        say("  Alertmanager idle after start: VmRSS %s" % fmt_mib(R["am_rss_idle"]))
        say("  %d alerts one at a time, after %d warm-up ones..." % (a.reports, a.warmup))
        lat = hook.ask("latency %s/api/v2/alerts %d %d" % (base, a.reports, a.warmup))
        R.update(lat)
        say("  POST sent -> webhook: p50 %.2f ms, p99 %.2f ms (%d of %d arrived); "
            "200 read -> webhook: p50 %.2f ms; POST -> 200: p50 %.2f ms" % (
                lat.get("am_post_to_webhook_p50_ms", -1), lat.get("am_post_to_webhook_p99_ms", -1),
                lat.get("am_post_to_webhook_n", 0), a.reports,
                lat.get("am_200_to_webhook_p50_ms", -1), lat.get("am_post_to_200_p50_ms", -1)))
    finally:
        stop(p)


def part_xmpp(a, work, R):
    say("\n== kakekomi: report -> XMPP alert at the specialist's client, through a real "
        "Prosody ==")
    argv = [os.path.join(a.build, "bench", "kk-bench-xmpp"), "--build", a.build, "--src", SRC,
            "--work", work, "--reports", str(a.reports), "--warmup", str(a.warmup)]
    p = spawn(argv, stdout=subprocess.PIPE, stderr=None, text=True)
    try:
        out, _ = p.communicate(timeout=600)
    finally:
        stop(p, 5)
    if p.returncode != 0:
        raise RuntimeError("kk-bench-xmpp failed (exit %d); see above" % p.returncode)
    res = parse_results(out)
    R.update(res)
    say("  kakekomid idle with XMPP up: VmRSS %s" % fmt_mib(res.get("xmpp_rss_idle_kib")))
    say("  POST sent -> alert: p50 %.2f ms, p99 %.2f ms (%d of %d arrived); 201 read -> alert: "
        "p50 %.2f ms; POST -> 201: p50 %.2f ms; guidance in %d of %d answers" % (
            res.get("xmpp_post_to_alert_p50_ms", -1), res.get("xmpp_post_to_alert_p99_ms", -1),
            res.get("xmpp_post_to_alert_n", 0), a.reports,
            res.get("xmpp_201_to_alert_p50_ms", -1), res.get("xmpp_post_to_201_p50_ms", -1),
            res.get("xmpp_guidance_in_201", 0), a.reports))


def makefile_has(target):
    with open(os.path.join(SRC, "Makefile")) as f:
        return re.search(r"^%s\s*:" % re.escape(target), f.read(), re.M) is not None


def part_stats(a, R):
    say("\n== Stats query (make bench-stats) ==")
    if not makefile_has("bench-stats"):
        R["stats"] = None
        say("  not measured: the Makefile has no bench-stats target (yet)")
        return
    r = subprocess.run(["make", "-s", "--no-print-directory", "-C", SRC, "bench-stats",
                        "BUILD=" + os.path.relpath(a.build, SRC)],
                       capture_output=True, text=True, timeout=900)
    R["stats_raw"] = r.stdout + r.stderr
    R["stats_exit"] = r.returncode
    R["stats"] = parse_stats(r.stdout)
    for line in r.stdout.strip().splitlines():
        say("  " + line)
    if r.returncode != 0:
        say("  make bench-stats exited %d" % r.returncode)


def parse_stats(text):
    """The table `make bench-stats` prints: one row per number of cases, a
    column per view with "median / slowest" ms. Returns {cases: {"views":
    {view: (median, slowest)}, "load_ms": x, "rss_mib": y}}."""
    out = {}
    head = None
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == "cases":
            head = cells
            continue
        if head is None or not cells or not cells[0].isdigit() or len(cells) != len(head):
            continue
        row = {"views": {}}
        for name, cell in zip(head[1:], cells[1:]):
            m = re.match(r"^([0-9.]+)\s*/\s*([0-9.]+)$", cell)
            if m:
                row["views"][name] = (float(m.group(1)), float(m.group(2)))
            elif name == "load ms" and re.match(r"^[0-9.]+$", cell):
                row["load_ms"] = float(cell)
            elif name == "RSS MiB" and re.match(r"^[0-9.]+$", cell):
                row["rss_mib"] = float(cell)
        if row["views"]:
            out[int(cells[0])] = row
    return out


def fsync_probe(path, n=200):
    """p50 and p99 of append 4 KiB + fdatasync on the store's file system, in ms:
    the floor under a durable commit."""
    f = os.path.join(path, "fsync-probe")
    fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    block = b"\0" * 4096
    v = []
    try:
        for _ in range(n):
            t = time.monotonic_ns()
            os.write(fd, block)
            os.fdatasync(fd)
            v.append((time.monotonic_ns() - t) / 1e6)
    finally:
        os.close(fd)
        os.unlink(f)
    v.sort()
    return v[len(v) // 2], v[min(len(v) - 1, (len(v) * 99 + 99) // 100 - 1)]


# ---------------------------------------------------------------- report

def machine(a, R):
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "?"
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)
    osname = "?"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    libs = []
    for lib in LIBS:
        r = subprocess.run(["pkg-config", "--modversion", lib], capture_output=True, text=True)
        libs.append("%s %s" % (lib, r.stdout.strip() or "?"))
    am = first_line(["prometheus-alertmanager", "--version"])
    go = "?"
    r = subprocess.run(["prometheus-alertmanager", "--version"], capture_output=True, text=True)
    m = re.search(r"go version:\s*(\S+)", r.stdout + r.stderr)
    if m:
        go = m.group(1)
    prosody = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "prosody"],
                             capture_output=True, text=True).stdout.strip() or "?"
    return [
        ("date", R["date"]),
        ("cores (nproc)", str(len(os.sched_getaffinity(0)))),
        ("CPU", cpu),
        ("memory", mem),
        ("kernel", os.uname().release),
        ("system", osname),
        ("load average at start / end", "%s / %s" % (R["load_start"], R.get("load_end", "?"))),
        ("store's file system", R.get("store_fs", "?")),
        ("fdatasync of a 4 KiB append there (the floor under a durable commit)",
         "at the start p50 %.2f ms, p99 %.2f ms; at the end p50 %.2f ms, p99 %.2f ms"
         % (R["fsync"] + R["fsync_end"]) if R.get("fsync") and R.get("fsync_end") else "?"),
        ("compiler", "%s, CFLAGS %s" % (first_line([a.cc, "--version"]), a.cflags)),
        ("kakekomid's libraries (pkg-config)", ", ".join(libs)),
        ("Alertmanager", "%s, %s" % (am, go)),
        ("Prosody", prosody),
        ("load generator", first_line(["wrk", "-v"]) + "; one thread (-t1), --timeout 5s"),
    ]


def fmt_ms(v):
    return "—" if v is None else "%.2f ms" % v


def fmt_rate(v):
    return "—" if v is None else "%.0f/s" % v


def fmt_kib(b):
    return "?" if b is None else "%.1f KiB" % (b / 1024.0)


def fmt_mib(kib):
    return "—" if kib is None else "%.1f MiB" % (kib / MIB)


def verdict(ok):
    if ok is None:
        return "not measured"
    return "met" if ok else "**not met**"


def ratio(x, y):
    if x is None or y is None or y == 0:
        return "—"
    return "%.2f×" % (x / y)


def build_tables(a, R):
    rows = []  # figure, kakekomi, Alertmanager, target, ratio, verdict
    kk = {x["conns"]: x for x in R.get("kk_intake", [])}
    am = {x["conns"]: x for x in R.get("am_ingest", [])}
    for c in a.levels:
        k, p = kk.get(c), am.get(c)
        kr = k["rps"] if k else None
        pr = p["rps"] if p else None
        ok = None if kr is None or pr is None else kr >= TARGET_INTAKE_RATIO * pr
        rows.append(("durable intake, %d conn (reports/s vs alerts/s)" % c, fmt_rate(kr),
                     fmt_rate(pr), "≥ 1.5 × Alertmanager", ratio(kr, pr), verdict(ok)))
    if kk and am:
        kbest = max(kk.values(), key=lambda x: x["rps"])
        pbest = max(am.values(), key=lambda x: x["rps"])
        ok = kbest["rps"] >= TARGET_INTAKE_RATIO * pbest["rps"]
        rows.append(("durable intake, best of each (at %d / %d conn)"
                     % (kbest["conns"], pbest["conns"]), fmt_rate(kbest["rps"]),
                     fmt_rate(pbest["rps"]), "≥ 1.5 × Alertmanager",
                     ratio(kbest["rps"], pbest["rps"]), verdict(ok)))
    for c in a.levels:
        k, p = kk.get(c), am.get(c)
        k99 = k["p99_us"] / 1e3 if k else None
        p99 = p["p99_us"] / 1e3 if p else None
        rows.append(("durable intake p99, %d conn" % c, fmt_ms(k99), fmt_ms(p99), "< 20 ms",
                     ratio(k99, p99), verdict(None if k99 is None else k99 < TARGET_P99_MS)))
    k50 = R.get("xmpp_post_to_alert_p50_ms")
    p50 = R.get("am_post_to_webhook_p50_ms")
    rows.append(("report → XMPP alert p50 (vs POST → webhook)", fmt_ms(k50), fmt_ms(p50),
                 "≤ Alertmanager's p50", ratio(k50, p50),
                 verdict(None if k50 is None or p50 is None else k50 <= p50)))
    k99 = R.get("xmpp_post_to_alert_p99_ms")
    p99 = R.get("am_post_to_webhook_p99_ms")
    rows.append(("report → XMPP alert p99 (vs POST → webhook)", fmt_ms(k99), fmt_ms(p99),
                 "< 20 ms", ratio(k99, p99),
                 verdict(None if k99 is None else k99 < TARGET_P99_MS)))
    k50b = R.get("xmpp_201_to_alert_p50_ms")
    p50b = R.get("am_200_to_webhook_p50_ms")
    rows.append(("… counted from the 201 / 200 being read, p50", fmt_ms(k50b), fmt_ms(p50b),
                 "(figure only)", "—", "—"))
    if "xmpp_reports" in R:
        g, n = int(R.get("xmpp_guidance_in_201", 0)), int(R["xmpp_reports"])
        rows.append(("first guidance inside the 201", "%d of %d" % (g, n), "(none)",
                     "every report", "—", verdict(g == n)))
    kr, pr = R.get("kk_rss_idle"), R.get("am_rss_idle")
    rows.append(("RSS idle after start", fmt_mib(kr), fmt_mib(pr), "< 32 MiB", ratio(kr, pr),
                 verdict(None if kr is None else kr / MIB < TARGET_RSS_MIB)))
    kr, pr = R.get("kk_rss_load"), R.get("am_rss_load")
    rows.append(("RSS right after a load run (highest)", fmt_mib(kr), fmt_mib(pr), "(figure only)",
                 ratio(kr, pr), "—"))
    stats = R.get("stats")
    if not stats:
        rows.append(("stats query over 10^6 cases", "not measured (no `make bench-stats`)"
                     if stats is None else "not measured (bench-stats printed no table)", "—",
                     "< 200 ms", "—", "not measured"))
    else:
        for n in (10 ** 4, 10 ** 5, 10 ** 6):
            row = stats.get(n)
            if row is None:
                continue
            view, (med, slow) = max(row["views"].items(), key=lambda kv: kv[1][0])
            allv = row["views"].get("all")
            cell = "%.1f ms (slowest view, %s; all %s)" % (
                med, view, "%.1f ms" % allv[0] if allv else "—")
            if n == 10 ** 6:
                rows.append(("stats query over 10^6 cases (median of 5)", cell, "(none)",
                             "< 200 ms", "%.2f× target" % (med / TARGET_STATS_MS),
                             verdict(med < TARGET_STATS_MS)))
            else:
                rows.append(("stats query over 10^%d cases (median of 5)" % len(str(n)[1:]),
                             cell, "(none)", "(figure only)", "—", "—"))
    return rows


def detail_rows(R):
    rows = []
    for name, key, kept in (("kakekomi", "kk_intake", "stored"),
                            ("Alertmanager", "am_ingest", "hooked")):
        for x in R.get(key, []):
            rows.append((name, str(x["conns"]), "%d" % x["requests"], "%.0f" % x["rps"],
                         "%.2f" % (x["p50_us"] / 1e3), "%.2f" % (x["p99_us"] / 1e3),
                         "%.2f" % (x["max_us"] / 1e3),
                         "%d (status %d, socket %d, timeout %d)"
                         % (x["errors"], x["status"], x["connect"] + x["read"] + x["write"],
                            x["timeout"]),
                         "%.0f%%" % (100 * x["cpu"]) if x.get("cpu") is not None else "?",
                         "%.2f ms" % x["cpu_ms_per_req"] if x.get("cpu_ms_per_req") is not None
                         else "?",
                         fmt_kib(x.get("disk_per_req")), fmt_mib(x.get("rss_after")),
                         "%s %s%s" % ("?" if x.get(kept) is None else "%d" % x[kept],
                                      "cases stored" if kept == "stored" else "alerts notified",
                                      "" if x.get("pending") is None else
                                      ", %d alerts waiting in the outbox" % x["pending"])))
    return rows


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def odd_notes(a, R):
    notes = []
    for key, who in (("kk_intake", "kakekomi"), ("am_ingest", "Alertmanager")):
        for x in R.get(key, []):
            if x["errors"]:
                notes.append("%s had %d errors at %d connections (status %d, socket %d, "
                             "timeout %d)." % (who, x["errors"], x["conns"], x["status"],
                                               x["connect"] + x["read"] + x["write"],
                                               x["timeout"]))
    if R.get("xmpp_alert_missing"):
        notes.append("%d reports' XMPP alerts did not arrive within 5 s."
                     % R["xmpp_alert_missing"])
    if R.get("am_webhook_missing"):
        notes.append("%d alerts' webhooks did not arrive within 5 s."
                     % R["am_webhook_missing"])
    if R.get("xmpp_201_to_alert_p50_ms", 1) < 0:
        notes.append("The alert usually reaches the specialist's client before the reporter's "
                     "client has read the 201: the outbox row is sent over XMPP as soon as the "
                     "case's transaction commits, in parallel with the answer; times counted "
                     "from the 201 are then negative.")
    for c, code in R.get("kk_exit_bad", []):
        notes.append("kakekomid exited %s after SIGTERM at the end of the %d-connection load."
                     % (code, c))
    probes = [x[0] for x in (R.get("fsync"), R.get("fsync_end")) if x]
    fs_text = ("%.2f ms" % probes[0] if len(probes) == 1 else
               "%.2f–%.2f ms" % (min(probes), max(probes)) if probes else "?")
    kk = {x["conns"]: x for x in R.get("kk_intake", [])}
    am = {x["conns"]: x for x in R.get("am_ingest", [])}
    short = [c for c in kk if c in am and kk[c]["rps"] < TARGET_INTAKE_RATIO * am[c]["rps"]]
    if short:
        k1 = kk[min(kk)]
        bytes_per = k1["bytes"] / max(1, k1["requests"])
        notes.append(
            "Durable intake fell short of 1.5 × Alertmanager at %s connection%s. kakekomi "
            "answers a report only once its case, timeline, routing and outbox rows are "
            "committed to disk (fdatasync alone: p50 %s in this run) and sends the guidance "
            "in the "
            "answer (%.1f KiB a response); Alertmanager answers once the alert is in memory. "
            "At %d connection%s each report waits for a commit of its own (kakekomi p50 %.2f ms "
            "against Alertmanager's %.2f ms); with more connections group commit shares the "
            "fsync, and the rate then depends on the CPU time and the disk writes each "
            "report costs (kakekomid wrote %s to disk per report at %d connection%s, %s at "
            "%d; Alertmanager %s; server CPU in the load table; each server shares the 2 "
            "cores with wrk and whatever else runs)."
            % (", ".join(str(c) for c in sorted(short)),
               "" if short == [1] else "s", fs_text, bytes_per / 1024, min(kk),
               "" if min(kk) == 1 else "s", k1["p50_us"] / 1e3,
               am[min(kk)]["p50_us"] / 1e3 if min(kk) in am else float("nan"),
               fmt_kib(k1.get("disk_per_req")), min(kk), "" if min(kk) == 1 else "s",
               fmt_kib(kk[max(kk)].get("disk_per_req")), max(kk),
               fmt_kib(max((x.get("disk_per_req") or 0) for x in am.values()))
               + " per alert at most"))
    pend = [(x["conns"], x["pending"], x.get("cpu_ms_per_req")) for x in R.get("kk_intake", [])
            if x.get("pending")]
    if pend:
        notes.append(
            "The intake runs have no XMPP, so every alert the routing queues waits in the "
            "outbox: %s. kakekomid's CPU time per report: %s. Work whose cost grows with "
            "the waiting rows shows there."
            % ("; ".join("%d rows after the %d-connection run" % (n, c) for c, n, _ in pend),
               "; ".join("%.2f ms at %d connection%s" % (ms, c, "" if c == 1 else "s")
                         for c, _, ms in pend if ms is not None)))
    k50, p50 = R.get("xmpp_post_to_alert_p50_ms"), R.get("am_post_to_webhook_p50_ms")
    if k50 is not None and p50 is not None and k50 > p50:
        notes.append(
            "Report → alert p50 is slower than Alertmanager's POST → webhook p50: the alert "
            "row leaves only after the case's transaction is on disk (POST → 201 p50 %.2f ms, "
            "with fdatasync alone at p50 %s in this run), while Alertmanager notifies from "
            "memory (POST → 200 "
            "p50 %.2f ms). Counted from the 201 being read, the alert is at the client at "
            "%+.2f ms (p50; negative: before the 201 was read); Alertmanager's webhook at "
            "%+.2f ms from its 200."
            % (R.get("xmpp_post_to_201_p50_ms", float("nan")),
               fs_text, R.get("am_post_to_200_p50_ms", float("nan")),
               R.get("xmpp_201_to_alert_p50_ms", float("nan")),
               R.get("am_200_to_webhook_p50_ms", float("nan"))))
    st = (R.get("stats") or {}).get(10 ** 6)
    if st and st.get("rss_mib") and st["rss_mib"] > TARGET_RSS_MIB:
        notes.append("make bench-stats reports %.0f MiB resident with 10^6 cases indexed "
                     "(load %.0f ms at start): the < 32 MiB idle target is met on a new store, "
                     "not with a million cases." % (st["rss_mib"], st.get("load_ms", 0)))
    try:
        load = float(R["load_start"].split()[0])
    except (ValueError, IndexError):
        load = 0.0
    if load > 0.5:
        notes.append("The load average was %s when the run started: other work was running "
                     "on this %d-core machine, so every figure is noisier and lower than on "
                     "an idle one (both systems ran under the same conditions, one after the "
                     "other)." % (R["load_start"], len(os.sched_getaffinity(0))))
    return notes


def report(a, R, failures):
    rows = build_tables(a, R)
    head = ("figure", "kakekomi", "Alertmanager", "target (DESIGN.md)", "ratio kk/AM",
            "verdict")
    table = md_table(head, rows)
    detail = md_table(("system", "conn", "requests", "req/s", "p50 ms", "p99 ms", "max ms",
                       "errors", "server CPU", "CPU / request", "disk written / request",
                       "RSS after",
                       "kept"), detail_rows(R))
    def lat_row(label, key, counted):
        """A latency row from the results KEY_p50_ms, _p99_ms, _max_ms (and _n)."""
        return (label, fmt_ms(R.get(key + "_p50_ms")), fmt_ms(R.get(key + "_p99_ms")),
                fmt_ms(R.get(key + "_max_ms")), "%d" % R.get(key + "_n", 0) if counted else "")

    lat = md_table(("path, %d one at a time" % a.reports, "p50", "p99", "max", "arrived"), [
        lat_row("kakekomi: POST sent → XMPP alert read by the client", "xmpp_post_to_alert", True),
        lat_row("kakekomi: 201 read → XMPP alert", "xmpp_201_to_alert", False),
        lat_row("kakekomi: POST → 201 (durable, guidance inside)", "xmpp_post_to_201", False),
        lat_row("Alertmanager: POST sent → webhook read by the receiver", "am_post_to_webhook",
                True),
        lat_row("Alertmanager: 200 read → webhook", "am_200_to_webhook", False),
        lat_row("Alertmanager: POST → 200 (in memory)", "am_post_to_200", False),
    ])
    notes = odd_notes(a, R) + ["%s failed: %s" % f for f in failures]
    lines = ["# kakekomi benchmark (`make bench`)", "",
             "Measured on this machine in one run; figures, never assertions. Targets from "
             "DESIGN.md, \"Performance budget\". The ratio is kakekomi's figure over "
             "Alertmanager's (over the target where Alertmanager has no such figure).", "",
             table, "",
             "## Load, per concurrency (wrk, %d s each, closed loop)" % a.seconds, "", detail,
             "", "## Latency, one at a time", "", lat, "", "## Set-up", "",
             "- kakekomi: " + R.get("intake_config", "—"),
             "- kakekomi, XMPP: a private Prosody on a free loopback port (STARTTLS, the "
             "tests' configuration), the bot and one specialist on call for Osaka (27), "
             "the specialist's client from tests/support/specialist.c stamping each message "
             "with CLOCK_MONOTONIC when it is read; %d reports after %d warm-up ones, 20 ms "
             "apart." % (a.reports, a.warmup),
             "- Alertmanager: " + R.get("am_config", "—") + "; %d alerts after %d warm-up "
             "ones, 20 ms apart, from a libcurl client, matched by a bench_id label; the "
             "receiver stamps each webhook once it has read the whole request. "
             "Every alert is its own group (group_by ['...']), so with group_wait 0s each "
             "is sent at once; group_interval and repeat_interval only govern notifying a "
             "group again, which this run never needs, so they are left at Alertmanager's "
             "defaults: a short group_interval makes each of the tens of thousands of groups "
             "wake every interval, which costs Alertmanager ingest rate (--group-interval "
             "and --repeat-interval of bench/run.py change them)." % (a.reports, a.warmup),
             "- Both: the same machine, the load generator (wrk, one thread, closed loop) on "
             "the same cores; at each concurrency kakekomi then Alertmanager, each a fresh "
             "process with a fresh store, so that neither inherits the other's backlog or "
             "a busier moment of the machine; RSS is VmRSS from /proc/PID/status.",
             "", "## Machine", ""]
    lines += ["- %s: %s" % kv for kv in machine(a, R)]
    if R.get("stats_raw"):
        lines += ["", "## make bench-stats", "", "```", R["stats_raw"].rstrip(), "```"]
    lines += ["", "## Notes", ""]
    lines += ["- " + n for n in notes] if notes else ["- none"]
    text = "\n".join(lines) + "\n"
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    path = os.path.join(BENCH, "results", "LATEST.md")
    with open(path, "w") as f:
        f.write(text)
    say("\n" + "=" * 78)
    say(text)
    say("written to %s" % os.path.relpath(path, os.getcwd()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--levels", default="1,4,16,64")
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--group-interval", default="5m")  # Alertmanager's defaults
    ap.add_argument("--repeat-interval", default="4h")
    ap.add_argument("--only", default="peer,xmpp,load,stats")
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--cflags", default="-O2 -g")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    a = ap.parse_args()
    a.build = os.path.abspath(os.path.join(SRC, a.build))
    a.levels = [int(x) for x in a.levels.split(",")]
    only = set(a.only.split(","))
    for tool in ("wrk", "prometheus-alertmanager", "prosody"):
        if shutil.which(tool) is None:
            sys.exit("bench: %s is not installed (scripts/install-deps bench)" % tool)
    os.makedirs(os.path.join(a.build, "bench"), exist_ok=True)
    # Under the build folder, on the repository's disk: /tmp may be a tmpfs,
    # where fsync costs nothing and "durable" would mean nothing.
    work = tempfile.mkdtemp(prefix="work-", dir=os.path.join(a.build, "bench"))
    R = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
         "load_start": loadavg()}
    say("kakekomi bench: %s, load average %s, work folder %s"
        % (R["date"], R["load_start"], work))
    failures = []
    try:
        R["fsync"] = fsync_probe(work)
        say("fdatasync of a 4 KiB append in the work folder (%s): p50 %.2f ms, p99 %.2f ms"
            % (fs_type(work), R["fsync"][0], R["fsync"][1]))
    except OSError as e:
        note("fsync probe: %s" % e)
    hook = None
    parts = [("peer", lambda: part_peer(a, work, R, hook)),
             ("xmpp", lambda: part_xmpp(a, work, R)),
             ("load", lambda: part_load(a, work, R, hook)),
             ("stats", lambda: part_stats(a, R))]
    try:
        if only & {"peer", "load"}:
            os.makedirs(os.path.join(work, "alertmanager"))
            hook = Receiver(a.build, os.path.join(work, "alertmanager", "receiver.log"))
        for name, fn in parts:
            if name not in only:
                continue
            try:
                fn()
            except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                note("%s: %s" % (name, e))
                failures.append((name, str(e).splitlines()[0] if str(e) else repr(e)))
        R["load_end"] = loadavg()
        try:
            R["fsync_end"] = fsync_probe(work)
        except OSError as e:
            note("fsync probe: %s" % e)
        report(a, R, failures)
    finally:
        if hook is not None:
            hook.close()
        for p in list(_children):
            stop(p, 5)
        if a.keep or failures:
            note("work folder kept: " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
