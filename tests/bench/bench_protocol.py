"""The line protocol every benchmark peer speaks, and the measurements they share.

A peer is one process in one role. The orchestrator (bench.py) starts it with the homeserver, a
user, a room and a message count; the password comes in the environment variable
BENCH_PASSWORD, never on the command line. On stdout (flushed after every line, nothing else
there):

    READY                    logged in, first sync done, the room known
    RESULT <JSON object>     the role's figures, then the peer exits 0
    ERROR <text>             then the peer exits 1

A sender waits after READY for a line GO on stdin, sends COUNT messages with INFLIGHT sends in
flight, and reports {"started_ms", "finished_ms"} (epoch milliseconds around the sends). A
receiver reports, once COUNT benchmark messages have arrived, {"received", "cpu_seconds",
"latencies_ms", "last_received_ms"}: the process's user plus system CPU time from READY to the
last message, and for each message the milliseconds from the sender's send call to the moment
the receiving application saw it (both peers run on one machine, on one clock).

Message bodies are "bench <index> <epoch milliseconds of the send call>".
"""

import argparse
import json
import os
import sys
import time

PREFIX = "bench "


def arguments(description: str, with_store: bool = False) -> argparse.Namespace:
    """The command line every peer takes; with_store adds the store directory it needs."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--role", choices=["sender", "receiver"], required=True)
    parser.add_argument("--homeserver", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--room", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--inflight", type=int, default=1)
    if with_store:
        parser.add_argument("--store", required=True)
    return parser.parse_args()


def body(index: int) -> str:
    return f"{PREFIX}{index} {now_ms()}"


def parse_body(text) -> tuple:
    """(index, sent_ms) of a benchmark body, or None for any other text."""
    if not isinstance(text, str) or not text.startswith(PREFIX):
        return None
    parts = text.split(" ")
    if len(parts) != 3:
        return None
    try:
        return int(parts[1]), int(parts[2])
    except ValueError:
        return None


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def cpu_seconds() -> float:
    """User plus system CPU time of this process, all its threads, from /proc/self/stat."""
    with open("/proc/self/stat", encoding="ascii") as stat:
        # The command name may contain spaces; the fields after its closing parenthesis do not.
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def say(*words) -> None:
    print(" ".join(str(word) for word in words), flush=True)


def result(figures: dict) -> None:
    say("RESULT", json.dumps(figures, separators=(",", ":")))


def fail(text: str) -> None:
    say("ERROR", text.replace("\n", " "))
    sys.exit(1)


def password() -> str:
    value = os.environ.get("BENCH_PASSWORD")
    if not value:
        fail("BENCH_PASSWORD is not set")
    return value


def wait_for_go() -> None:
    line = sys.stdin.readline()
    if line.strip() != "GO":
        fail(f"expected GO on stdin, got {line.strip()!r}")


class Receiving:
    """Counts benchmark messages as they arrive and builds the receiver's RESULT."""

    def __init__(self, count: int):
        self.count = count
        self.latencies = {}
        self.last_received_ms = 0
        self.cpu_at_ready = cpu_seconds()

    def ready(self) -> None:
        self.cpu_at_ready = cpu_seconds()
        say("READY")

    def saw(self, text) -> None:
        parsed = parse_body(text)
        if parsed is None or parsed[0] in self.latencies:
            return
        received = now_ms()
        self.latencies[parsed[0]] = received - parsed[1]
        self.last_received_ms = received

    def done(self) -> bool:
        return len(self.latencies) >= self.count

    def report(self) -> None:
        result({
            "received": len(self.latencies),
            "cpu_seconds": round(cpu_seconds() - self.cpu_at_ready, 4),
            "latencies_ms": [self.latencies[key] for key in sorted(self.latencies)],
            "last_received_ms": self.last_received_ms,
        })
