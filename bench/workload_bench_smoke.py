#!/usr/bin/env python3
"""Smoke test of slatedb_workload_bench (ctest workload_bench_smoke). Not timed: shapes and counts.

usage: workload_bench_smoke.py PATH_TO_WORKLOAD_BENCH

Runs every workload briefly (no injected latency, 500 preloaded keys) on a fresh local directory
and asserts one JSON line per workload with consistent counts: uniform and skewed point reads find
every key, missing-key reads find none, scans return rows, writes happen only in workloads that
write, the idle workload performs no operations; that the table lists every workload; and that an
unknown workload name fails naming it.
"""
import json
import shutil
import subprocess
import sys
import tempfile

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, file=sys.stderr)


def main():
    exe = sys.argv[1]
    d = tempfile.mkdtemp(prefix="workload_bench_smoke")
    try:
        p = subprocess.run([exe, "--url", "file://" + d, "--latency-ms", "0", "--keys", "500",
                            "--clients", "2", "--seconds", "0.3", "--warmup-seconds", "0",
                            "--scan-length", "10"], capture_output=True, text=True, timeout=100)
        check(p.returncode == 0, f"exit {p.returncode}\n{p.stdout}\n{p.stderr}")
        rows = {}
        for line in p.stdout.splitlines():
            if line.startswith("{"):
                r = json.loads(line)
                rows[r["workload"]] = r
        names = ["point-read-uniform", "point-read-skewed", "point-read-missing", "read-heavy",
                 "balanced", "update-heavy", "range-scan", "sustained-ingest", "idle"]
        check(sorted(rows) == sorted(names), f"workloads reported: {sorted(rows)}")
        for n in names:
            r = rows.get(n)
            if r is None:
                continue
            check(r["ops"] == r["gets"] + r["puts"] + r["scans"], f"{n}: ops add up: {r}")
            check(f"| {n} |" in p.stdout, f"{n}: in the table")
            if n != "idle":
                check(r["ops"] > 0, f"{n}: some operations ran: {r}")
        for n in ["point-read-uniform", "point-read-skewed"]:
            r = rows.get(n, {})
            check(r.get("found") == r.get("gets") and r.get("puts") == 0,
                  f"{n}: every preloaded key found, no writes: {r}")
        r = rows.get("point-read-missing", {})
        check(r.get("found") == 0 and r.get("gets", 0) > 0, f"missing keys never found: {r}")
        r = rows.get("range-scan", {})
        check(r.get("scans", 0) > 0 and r.get("scanned_rows", 0) > 0, f"scans return rows: {r}")
        r = rows.get("sustained-ingest", {})
        check(r.get("puts", 0) > 0 and r.get("gets") == 0 and r.get("put") > 0,
              f"ingest writes and uploads: {r}")
        r = rows.get("idle", {})
        check(r.get("ops") == 0, f"idle does nothing itself: {r}")

        bad = subprocess.run([exe, "--url", "file://" + d, "--workloads", "point-read,bogus"],
                             capture_output=True, text=True, timeout=30)
        check(bad.returncode != 0 and "point-read" in bad.stderr,
              f"unknown workload named: {bad.returncode} {bad.stderr}")
    finally:
        shutil.rmtree(d, ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} check(s) failed", file=sys.stderr)
        return 1
    print("workload_bench_smoke: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
