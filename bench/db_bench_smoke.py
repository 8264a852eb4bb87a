#!/usr/bin/env python3
"""Smoke test of bench/db_bench (ctest db_bench_smoke). Not timed: it checks shapes and counts.

usage: db_bench_smoke.py PATH_TO_DB_BENCH

Runs every benchmark name at --num=2000 on a fresh local directory and asserts that each prints
one db_bench result line that parses, with the right operation count (and, for reads, that every
key written by fillseq is found); then that --histogram prints percentiles, that batches and
threads multiply the counts as db_bench's do, and that bad input fails naming it.
"""
import re
import shutil
import subprocess
import sys
import tempfile

LINE = re.compile(r"^(\w+)\s+:\s+([\d.]+) micros/op (\d+) ops/sec ([\d.]+) seconds (\d+) operations;"
                  r"(?:\s+([\d.]+) MB/s)?(?: \((\d+) of (\d+) found\))?$")
FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(exe, args, expect_rc=0):
    p = subprocess.run([exe] + args, capture_output=True, text=True, timeout=100)
    check(expect_rc is None or p.returncode == expect_rc,
          f"{' '.join(args)}: exit {p.returncode}, want {expect_rc}\n{p.stdout}\n{p.stderr}")
    return p


def results(stdout):
    out = {}
    for line in stdout.splitlines():
        m = LINE.match(line)
        if m:
            out[m.group(1)] = m
    return out


def main():
    exe = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="db_bench_smoke")
    try:
        db = f"--db={tmp}/db"
        num = 2000
        names = ["fillseq", "fillrandom", "overwrite", "readrandom", "seekrandom",
                 "readwhilewriting"]
        # fillrandom wipes what fillseq wrote, so the reads run after a fillseq of their own.
        p = run(exe, [db, f"--num={num}", "--reads=500", "--seek_nexts=3",
                      "--benchmarks=fillrandom,overwrite,fillseq,readrandom,seekrandom,"
                      "readwhilewriting"])
        r = results(p.stdout)
        for name in names:
            check(name in r, f"no result line for {name} in:\n{p.stdout}")
        for name in ["fillseq", "fillrandom", "overwrite"]:
            if name in r:
                check(int(r[name].group(5)) == num, f"{name}: {r[name].group(0)}")
                check(r[name].group(6) is not None, f"{name} has no MB/s: {r[name].group(0)}")
        for name in ["readrandom", "seekrandom", "readwhilewriting"]:
            if name in r:
                m = r[name]
                check(int(m.group(5)) == 500, f"{name} ops: {m.group(0)}")
                # Every key of [0, num) exists after fillseq (the writer only overwrites).
                check(m.group(7) == "500" and m.group(8) == "500", f"{name} found: {m.group(0)}")

        # The database persists: --use_existing_db reads what the last run left.
        p = run(exe, [db, f"--num={num}", "--use_existing_db", "--benchmarks=readrandom",
                      "--histogram", "--seed=7"])
        r = results(p.stdout)
        check("readrandom" in r and r["readrandom"].group(7) == str(num),
              f"readrandom on the existing db:\n{p.stdout}")
        check(re.search(r"^Percentiles: P50: [\d.]+ P75: [\d.]+ P99: [\d.]+", p.stdout, re.M),
              f"--histogram printed no percentiles:\n{p.stdout}")
        check(re.search(r"^Count: 2000 ", p.stdout, re.M), f"histogram count:\n{p.stdout}")

        # --duration bounds time instead of operations (no timing is asserted: it ran and counted).
        p = run(exe, [db, f"--num={num}", "--use_existing_db", "--benchmarks=readrandom",
                      "--duration=1"])
        r = results(p.stdout)
        check("readrandom" in r and int(r["readrandom"].group(5)) > 0
              and r["readrandom"].group(7) == r["readrandom"].group(5),
              f"--duration=1:\n{p.stdout}")

        # Threads and batches: each of 2 threads writes num rows in batches of 10.
        p = run(exe, [f"--db={tmp}/db2", "--num=500", "--threads=2", "--batch_size=10",
                      "--compression_type=zstd", "--bloom_bits=0", "--write_buffer_size=16384",
                      "--benchmarks=fillrandom,readrandom"])
        r = results(p.stdout)
        check("fillrandom" in r and r["fillrandom"].group(5) == "1000", f"threads x num:\n{p.stdout}")
        check("readrandom" in r and r["readrandom"].group(5) == "1000", f"threads x reads:\n{p.stdout}")

        # An object-store URL works too.
        p = run(exe, ["--db=memory:///", "--num=100", "--benchmarks=fillseq,readrandom"])
        r = results(p.stdout)
        check("readrandom" in r and r["readrandom"].group(7) == "100", f"memory:///:\n{p.stdout}")

        # Any --cache_size works (the block cache's data budget; 0 = none).
        for size in ("0", "8388608"):
            p = run(exe, ["--db=memory:///", "--num=100", f"--cache_size={size}",
                          "--benchmarks=fillseq,readrandom"])
            r = results(p.stdout)
            check("readrandom" in r and r["readrandom"].group(7) == "100",
                  f"--cache_size={size}:\n{p.stdout}")

        # flush prints no line of its own; the reads after it come from the L0 SST.
        p = run(exe, ["--db=memory:///", "--num=100", "--benchmarks=fillseq,flush,readrandom"])
        r = results(p.stdout)
        check("flush" not in r and "readrandom" in r and r["readrandom"].group(7) == "100",
              f"flush:\n{p.stdout}")

        # Bad input fails naming it.
        for args, needle in [
            (["--benchmarks=fillseq,nosuch"], "nosuch"),
            (["--no_such_flag=1"], "--no_such_flag"),
            (["--compression_type=brotli"], "brotli"),
            (["--cache_size=-1"], "--cache_size"),
            (["--use_existing_db", "--benchmarks=fillseq"], "fillseq"),
            (["--num=1000000", "--key_size=4"], "--key_size=4"),
            (["--write_buffer_size=10"], "--write_buffer_size"),
        ]:
            p = run(exe, [f"--db={tmp}/bad"] + args, expect_rc=None)  # CLI11 errors exit 1xx
            check(p.returncode != 0, f"{args} succeeded")
            check(needle in p.stderr, f"{args}: stderr does not name {needle!r}: {p.stderr}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if FAILURES:
        print(f"{len(FAILURES)} failure(s)", file=sys.stderr)
        return 1
    print("db_bench_smoke: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
