#!/usr/bin/env python3
"""Throughput, receiver CPU and latency of tim-headless beside the homeserver's ceiling and an
independent client, all in one run against one Synapse (`./run bench` starts it).

For every run and send pattern (one send at a time, then INFLIGHT sends in flight) each variant
moves MESSAGES text messages from a fresh sender account to a fresh receiver account in a room of
their own, each account a fresh device in a process of its own:

    ceiling      http_peer.py: plain HTTP, unencrypted room (what the homeserver allows)
    rust         tim-headless's Rust core called directly (rust-core/bench), encrypted room
    java         tim-headless through its Java API (benchmarks/ BenchPeer), encrypted room
    java-w0      the same with a sync batch window of 0 ms (lowest latency)
    java-w1000   the same with the longest window, 1,000 ms (least CPU)
    nio          matrix-nio 0.26 (vodozemac), encrypted room

rust and java run with the default sync batch window (DEFAULT_WINDOW_MS).

Figures per message stream: throughput (messages divided by the time from the sender's first
send call to the receiver's last message), receiver CPU per message (user plus system time of
the receiving process while the stream lasts), and send-to-listener latency (median and p99).
Each figure is reported as median, min and max over the runs; the table goes to stdout and, with
every run's raw figures, to OUT/bench-<time>.json and OUT/latest.json.

Then the cost of one call: JMH times DTO-returning calls without I/O (syncStatus, session) on a
logged-in Java client, and the Rust peer times the same core calls without JNI.

    bench.py --workdir SYNAPSE_WORKDIR --java-classpath CP --rust-peer BIN --nio-python PY
             [--runs 5] [--messages 1000] [--inflight 16] [--variants ceiling,java,...]
             [--out DIR]
"""

import argparse
import json
import os
import queue
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "harness"))
import synapse_harness as harness  # noqa: E402  (the harness lives beside this folder)

VARIANTS = ("ceiling", "rust", "java", "java-w0", "java-w1000", "nio")
# HeadlessClient.DEFAULT_SYNC_BATCH_WINDOW, in milliseconds.
DEFAULT_WINDOW_MS = 50
WINDOW_MS = {"rust": DEFAULT_WINDOW_MS, "java": DEFAULT_WINDOW_MS, "java-w0": 0,
             "java-w1000": 1000}
READY_TIMEOUT_S = 180
# A stream of 1,000 messages takes about 35 s at the homeserver's pace; this is the give-up mark.
STREAM_TIMEOUT_S = 900


class BenchError(Exception):
    pass


class Peer:
    """One peer process; its stdout lines arrive through a queue so waits can time out."""

    def __init__(self, name: str, command: list, password: str, log_dir: Path):
        self.name = name
        self.stderr = (log_dir / f"{name}.log").open("w", encoding="utf8")
        environment = dict(os.environ, BENCH_PASSWORD=password)
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
            env=environment, text=True, encoding="utf8")
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def expect(self, word: str, timeout_s: float) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise BenchError(f"{self.name}: no {word} within {timeout_s:.0f} s") from None
            if line is None:
                raise BenchError(f"{self.name} ended before {word} "
                                 f"(exit {self.process.wait()}; see {self.stderr.name})")
            verb, _, rest = line.partition(" ")
            if verb == word:
                return rest
            if verb == "ERROR":
                raise BenchError(f"{self.name}: {rest} (see {self.stderr.name})")

    def tell(self, line: str) -> None:
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.stderr.close()


def call(base_url: str, token: str, method: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        base_url + path, method=method, data=json.dumps(body).encode("utf8"),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


def room_for(base_url: str, sender: dict, receiver: dict, encrypted: bool) -> str:
    """A private room of the two accounts, made and joined over plain HTTP before the peers
    start, so that each peer finds it in its first sync."""
    initial_state = []
    if encrypted:
        initial_state.append({"type": "m.room.encryption", "state_key": "",
                              "content": {"algorithm": "m.megolm.v1.aes-sha2"}})
    room_id = call(base_url, sender["access_token"], "POST", "/_matrix/client/v3/createRoom", {
        "preset": "private_chat", "invite": [receiver["user_id"]],
        "initial_state": initial_state})["room_id"]
    call(base_url, receiver["access_token"], "POST",
         f"/_matrix/client/v3/join/{urllib.parse.quote(room_id, safe='')}", {})
    return room_id


def peer_command(args, variant: str, role: str, user: str, room: str, inflight: int,
                 store: Path) -> list:
    if variant == "ceiling":
        return [sys.executable, str(HERE / "http_peer.py"), "--role", role,
                "--homeserver", args.base_url, "--user", user, "--room", room,
                "--count", str(args.messages), "--inflight", str(inflight)]
    if variant == "rust":
        return [args.rust_peer, role, args.base_url, user, room, str(args.messages),
                str(inflight), str(store), str(WINDOW_MS[variant])]
    if variant.startswith("java"):
        return ["java", "-cp", args.java_classpath, "health.tim.headless.bench.BenchPeer", role,
                args.base_url, user, room, str(args.messages), str(inflight), str(store),
                str(WINDOW_MS[variant])]
    return [args.nio_python, str(HERE / "nio_bench_peer.py"), "--role", role,
            "--homeserver", args.base_url, "--user", user, "--room", room,
            "--count", str(args.messages), "--inflight", str(inflight), "--store", str(store)]


def measure(args, variant: str, inflight: int, run: int) -> dict:
    """One stream of messages; returns its figures."""
    label = f"{variant}-r{run}-f{inflight}"
    suffix = f"{label.replace('-', '')}{secrets.token_hex(3)}"
    password = secrets.token_hex(16)
    sender = harness.register_user(args.workdir, f"bsend{suffix}", password)
    receiver = harness.register_user(args.workdir, f"brecv{suffix}", password)
    room = room_for(args.base_url, sender, receiver, encrypted=variant != "ceiling")

    work = args.out / "work" / label
    work.mkdir(parents=True, exist_ok=True)
    peers = []
    try:
        receiving = Peer(f"{label}-receiver", peer_command(
            args, variant, "receiver", receiver["user_id"], room, inflight, work / "receiver"),
            password, work)
        peers.append(receiving)
        receiving.expect("READY", READY_TIMEOUT_S)
        sending = Peer(f"{label}-sender", peer_command(
            args, variant, "sender", sender["user_id"], room, inflight, work / "sender"),
            password, work)
        peers.append(sending)
        sending.expect("READY", READY_TIMEOUT_S)

        sending.tell("GO")
        sent = json.loads(sending.expect("RESULT", STREAM_TIMEOUT_S))
        received = json.loads(receiving.expect("RESULT", STREAM_TIMEOUT_S))
    finally:
        for peer in peers:
            peer.stop()

    if received["received"] != args.messages:
        raise BenchError(f"{label}: {received['received']} of {args.messages} arrived")
    seconds = (received["last_received_ms"] - sent["started_ms"]) / 1000
    latencies = sorted(received["latencies_ms"])
    return {
        "variant": variant, "inflight": inflight, "run": run,
        "throughput_per_s": args.messages / seconds,
        "receiver_cpu_ms_per_message": received["cpu_seconds"] * 1000 / args.messages,
        "latency_median_ms": statistics.median(latencies),
        "latency_p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "sender_seconds": (sent["finished_ms"] - sent["started_ms"]) / 1000,
    }


def account(args, prefix: str) -> tuple:
    password = secrets.token_hex(16)
    user = harness.register_user(args.workdir, f"{prefix}{secrets.token_hex(4)}", password)
    return user["user_id"], password


def spread(values: list) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def measure_calls(args) -> dict:
    """Nanoseconds per call through JNI (JMH) and in Rust, for the same two calls."""
    work = args.out / "work" / "calls"
    work.mkdir(parents=True, exist_ok=True)

    user, password = account(args, "bcallsrust")
    rust = Peer("calls-rust", [args.rust_peer, "calls", args.base_url, user, "-",
                               str(args.calls), "1", str(work / "rust-store"), "0"],
                password, work)
    try:
        in_rust = json.loads(rust.expect("RESULT", READY_TIMEOUT_S))
    finally:
        rust.stop()

    user, password = account(args, "bcallsjava")
    jmh_json = work / "jmh.json"
    iterations = ["-wi", "1", "-i", "2", "-w", "1s", "-r", "1s"] if args.quick else \
        ["-wi", "3", "-i", "5", "-w", "2s", "-r", "2s"]
    environment = dict(os.environ, BENCH_HOMESERVER=args.base_url, BENCH_USER=user,
                       BENCH_PASSWORD=password)
    with (work / "jmh.log").open("w", encoding="utf8") as log:
        subprocess.run(["java", "-cp", args.java_classpath, "org.openjdk.jmh.Main",
                        "health.tim.headless.bench.CallOverhead", "-f", "1", *iterations,
                        "-rf", "json", "-rff", str(jmh_json)],
                       env=environment, stdout=log, stderr=subprocess.STDOUT, check=True)
    through_jni = {}
    for entry in json.loads(jmh_json.read_text()):
        name = entry["benchmark"].rsplit(".", 1)[1]
        through_jni[name] = [value for fork in entry["primaryMetric"]["rawData"]
                             for value in fork]

    figures = {}
    for call, rust_key in (("syncStatus", "sync_status_ns"), ("session", "session_ns")):
        java_ns = spread(through_jni[call])
        rust_ns = spread(in_rust[rust_key])
        figures[call] = {"java_ns": java_ns, "rust_ns": rust_ns,
                         "jni_overhead_ns": java_ns["median"] - rust_ns["median"]}
    return figures


FIGURES = (
    ("throughput_per_s", "throughput, msg/s", 1),
    ("receiver_cpu_ms_per_message", "receiver CPU, ms/msg", 2),
    ("latency_median_ms", "latency median, ms", 0),
    ("latency_p99_ms", "latency p99, ms", 0),
)


def summarise(results: list, variants: list, patterns: list) -> dict:
    summary = {}
    for inflight in patterns:
        for variant in variants:
            rows = [r for r in results if r["variant"] == variant and r["inflight"] == inflight]
            if not rows:
                continue
            summary[f"{variant}/{inflight}"] = {
                key: spread([r[key] for r in rows]) for key, _, _ in FIGURES}
    return summary


def ratios(summary: dict, patterns: list) -> dict:
    found = {}
    for inflight in patterns:
        java = summary.get(f"java/{inflight}")
        for other in ("ceiling", "rust", "nio"):
            theirs = summary.get(f"{other}/{inflight}")
            if java and theirs:
                found[f"java/{other} throughput, {inflight} in flight"] = (
                    java["throughput_per_s"]["median"] / theirs["throughput_per_s"]["median"])
        for other in ("rust", "nio"):
            theirs = summary.get(f"{other}/{inflight}")
            if java and theirs:
                found[f"java/{other} receiver CPU per message, {inflight} in flight"] = (
                    java["receiver_cpu_ms_per_message"]["median"]
                    / theirs["receiver_cpu_ms_per_message"]["median"])
    return found


def table(summary: dict, found: dict, calls: dict, runs: int, messages: int) -> str:
    lines = [f"{messages} text messages per stream, median [min-max] of {runs} runs", ""]
    header = f"{'variant / in flight':<22}" + "".join(f"{title:>26}" for _, title, _ in FIGURES)
    lines += [header, "-" * len(header)]
    for name, figures in summary.items():
        cells = []
        for key, _, digits in FIGURES:
            value = figures[key]
            cells.append(f"{value['median']:.{digits}f} [{value['min']:.{digits}f}-"
                         f"{value['max']:.{digits}f}]")
        lines.append(f"{name:<22}" + "".join(f"{cell:>26}" for cell in cells))
    lines.append("")
    lines += [f"{name}: {value:.3f}" for name, value in found.items()]
    if calls:
        lines += ["", "ns per call, median [min-max]: through JNI (JMH), in Rust, difference"]
        for call, figures in calls.items():
            java_ns, rust_ns = figures["java_ns"], figures["rust_ns"]
            lines.append(f"  {call:<12} {java_ns['median']:8.1f} [{java_ns['min']:.1f}-"
                         f"{java_ns['max']:.1f}]  {rust_ns['median']:8.1f} [{rust_ns['min']:.1f}-"
                         f"{rust_ns['max']:.1f}]  {figures['jni_overhead_ns']:8.1f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="the Synapse's harness dir")
    parser.add_argument("--java-classpath", required=True)
    parser.add_argument("--rust-peer", required=True)
    parser.add_argument("--nio-python", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--inflight", type=int, default=16)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--out", type=Path, default=Path("target/bench"))
    parser.add_argument("--calls", type=int, default=1_000_000,
                        help="calls per round of the Rust side of the call comparison")
    parser.add_argument("--quick", action="store_true", help="short JMH iterations")
    args = parser.parse_args()
    args.base_url = harness.load_server_info(args.workdir)["base_url"]
    variants = [v for v in args.variants.split(",") if v]
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants: {', '.join(sorted(unknown))}")
    patterns = [1, args.inflight]

    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    started = time.time()
    for run in range(1, args.runs + 1):
        for inflight in patterns:
            # Variants take turns within a run, so a drift of the machine hits them alike.
            for variant in variants:
                figures = measure(args, variant, inflight, run)
                results.append(figures)
                print(f"run {run}, {variant}, {inflight} in flight: "
                      f"{figures['throughput_per_s']:.1f} msg/s, "
                      f"{figures['receiver_cpu_ms_per_message']:.2f} ms CPU/msg, "
                      f"latency median {figures['latency_median_ms']:.0f} ms", flush=True)

    summary = summarise(results, variants, patterns)
    found = ratios(summary, patterns)
    calls = measure_calls(args) if {"rust", "java"} <= set(variants) else {}
    report = {
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(time.time() - started),
        "machine": {"cpus": os.cpu_count(), "uname": " ".join(os.uname())},
        "runs": args.runs, "messages": args.messages, "inflight": args.inflight,
        "summary": summary, "ratios": found, "calls": calls, "results": results,
    }
    text = json.dumps(report, indent=2)
    (args.out / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(text)
    (args.out / "latest.json").write_text(text)
    print()
    print(table(summary, found, calls, args.runs, args.messages))


if __name__ == "__main__":
    try:
        main()
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        sys.exit(1)
