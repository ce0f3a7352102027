"""A small HTTP load generator for bench/webhook.py, run as its own process.

Open loop (`--rate`): request i is due at start + i/rate, whatever happened before, and its
latency counts from that due time (so a stall is not hidden: no coordinated omission).
Closed loop (`--connections` without `--rate`): each connection sends its next request as
soon as the last one is answered, for `--duration` seconds.

Requests come from a JSON-lines file of {"body": text, "headers": {...}}; the generator
cycles through them and gives each request a fresh X-GitHub-Delivery. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("requests", type=Path, help="JSON lines: body and headers")
    parser.add_argument("--rate", type=float, help="open loop: requests per second")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--max-requests", type=int, default=100_000)
    args = parser.parse_args(argv)

    templates = [json.loads(line) for line in args.requests.read_text().splitlines() if line]
    bodies = [(t["body"].encode(), t["headers"]) for t in templates]
    parts = urlsplit(args.url)
    host, port, path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/"
    total = (
        min(args.max_requests, int(args.rate * args.duration)) if args.rate else args.max_requests
    )
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    start = time.perf_counter() + 0.2
    stop_at = start + args.duration

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=10)
        while True:
            with lock:
                i = next(counter)
            if i >= total:
                break
            due = start + i / args.rate if args.rate else time.perf_counter()
            if not args.rate and due >= stop_at:
                break
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            body, headers = bodies[i % len(bodies)]
            sent_headers = {**headers, "X-GitHub-Delivery": str(uuid.uuid4())}
            try:
                conn.request("POST", path, body=body, headers=sent_headers)
                resp = conn.getresponse()
                resp.read()
                status = str(resp.status)
            except (OSError, http.client.HTTPException) as err:
                status = type(err).__name__
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=10)
            elapsed = time.perf_counter() - due
            with lock:
                latencies.append(elapsed)
                statuses[status] += 1
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.duration + 60)
    elapsed = time.perf_counter() - start
    print(
        json.dumps(
            {
                "sent": len(latencies),
                "seconds": elapsed,
                "throughput": len(latencies) / elapsed,
                "statuses": dict(statuses),
                "p50_ms": percentile(latencies, 0.50) * 1000,
                "p99_ms": percentile(latencies, 0.99) * 1000,
                "max_ms": max(latencies, default=float("nan")) * 1000,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
