#!/usr/bin/env python3
"""Runs bench/db_bench (ours), RocksDB's db_bench and the SlateDB peer with the same settings,
alternately for --rounds rounds, and prints a markdown table of median ops/sec, the ratios
ours/rocksdb and ours/peer, each process's peak RSS (GNU time's %M, or wait4's ru_maxrss without /usr/bin/time)
and its CPU time (user + system) per operation, followed by the exact commands of the last round.
CPU per operation is the figure that holds on a busy machine, where ops/sec also measures how
much of the CPU the scheduler gave each engine's threads.

Each measured process runs one benchmark: fillseq and fillrandom on a fresh directory; the others
(overwrite, readrandom, seekrandom, readwhilewriting) with --use_existing_db after an unmeasured
fillseq of --num keys (with --compacted, then also an unmeasured full compaction: `compact` in
both, RocksDB's CompactRange and our Db::SubmitFullCompaction). RocksDB gets the same key and value sizes, --cache_size (our
block cache's data budget; default 64 MiB), --bloom_bits, --compression_type, --batch_size, --threads and --seed. The peer
(SlateDB 0.12.1 behind node: `fill`, `readrandom`) has no overwrite, seekrandom or
readwhilewriting; its cells say n/a. Its RSS includes the node runtime.

usage: bench/compare_db_bench.py [--num 200000] [--reads 50000] [--rounds 3] [--batch_size 100]
         [--threads 1] [--key_size 16] [--value_size 100] [--seek_nexts 10] [--bloom_bits 10]
         [--compression_type none] [--write_buffer_size 67108864] [--cache_size 67108864]
         [--compacted] [--benchmarks a,b] [--ours build/rel/bench/db_bench]
         [--rocksdb db_bench] [--baseline OTHER_DB_BENCH] [--peer ../shared/peer/slatedb-peer] [--no_peer] [--dir DIR] [--smoke]
--smoke: tiny sizes, one round; exits 77 (ctest SKIP_RETURN_CODE) if RocksDB's db_bench is not
installed, and leaves the peer out if it is not there.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ALL = ["fillseq", "fillrandom", "overwrite", "readrandom", "seekrandom", "readwhilewriting"]
PEER_CAN = {"fillseq", "fillrandom", "readrandom"}
LINE = re.compile(r"^(\w+)\s+:\s+[\d.]+ micros/op (\d+) ops/sec [\d.]+ seconds (\d+) operations;",
                  re.M)


TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_measured(cmd):
    """Runs cmd; returns (stdout, peak RSS in KiB, CPU seconds user+system). Exits naming the
    command if it fails.

    Peak RSS comes from GNU time (%M) when /usr/bin/time exists, else from wait4's ru_maxrss.
    (The latter is floored at this interpreter's own RSS: Linux starts a vforked child's
    high-water mark at its parent's.)"""
    with tempfile.NamedTemporaryFile(mode="w+") as ft, tempfile.TemporaryFile(mode="w+") as fo, \
            tempfile.TemporaryFile(mode="w+") as fe:
        full = [TIME, "-f", "%M %U %S", "-o", ft.name] + cmd if TIME else cmd
        p = subprocess.Popen(full, stdout=fo, stderr=fe)
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
        rss = usage.ru_maxrss
        cpu = usage.ru_utime + usage.ru_stime
        if TIME and p.returncode == 0:
            ft.seek(0)
            f = ft.read().strip().splitlines()[-1].split()
            rss, cpu = int(f[0]), float(f[1]) + float(f[2])
    if p.returncode != 0:
        sys.exit(f"failed (exit {p.returncode}): {' '.join(cmd)}\n{err}\n{out}")
    return out, rss, cpu


def db_bench_ops(out, name, cmd):
    for m in LINE.finditer(out):
        if m.group(1) == name:
            return int(m.group(2)), int(m.group(3))
    sys.exit(f"no '{name}' result line from: {' '.join(cmd)}\n{out}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--num", type=int, default=200000)
    ap.add_argument("--reads", type=int, default=50000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch_size", type=int, default=100)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--key_size", type=int, default=16)
    ap.add_argument("--value_size", type=int, default=100)
    ap.add_argument("--seek_nexts", type=int, default=10)
    ap.add_argument("--bloom_bits", type=int, default=10)
    ap.add_argument("--compression_type", default="none")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--write_buffer_size", type=int, default=64 << 20,
                    help="memtable bytes (RocksDB write_buffer_size, our and the peer's "
                         "l0_sst_size_bytes)")
    ap.add_argument("--max_write_buffer_number", type=int, default=2,
                    help="memtables not yet flushed before writers stall (RocksDB's flag and "
                         "default; ours: max_unflushed_bytes = N x write_buffer_size)")
    ap.add_argument("--cache_size", type=int, default=64 << 20,
                    help="block cache bytes (ours: the data budget; 0 = none)")
    ap.add_argument("--compacted", action="store_true",
                    help="read benchmarks run on a fully compacted database")
    ap.add_argument("--rocksdb_compaction", action="store_true",
                    help="both engines compact as RocksDB's db_bench does by default: one "
                         "subcompaction, outputs rolled at 64 MiB (--subcompactions=1 "
                         "--target_file_size_base=67108864 to both), and ours relinks disjoint "
                         "L0s as RocksDB's trivial move does (--trivial_move=1)")
    ap.add_argument("--benchmarks", default=",".join(ALL))
    ap.add_argument("--ours", default=os.path.join(ROOT, "build/release/bench/db_bench"))
    ap.add_argument("--rocksdb", default="db_bench")
    ap.add_argument("--baseline", default=None,
                    help="another build of our db_bench (e.g. before a change), run alternately too")
    ap.add_argument("--peer", default=os.path.join(ROOT, "../shared/peer/slatedb-peer"))
    ap.add_argument("--dir", default=None, help="scratch directory (default: a temp dir)")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--no_peer", action="store_true", help="leave the SlateDB peer out")
    a = ap.parse_args()
    if a.smoke:
        a.num, a.reads, a.rounds = 2000, 500, 1
    benches = [b for b in a.benchmarks.split(",") if b]
    for b in benches:
        if b not in ALL:
            sys.exit(f"unknown benchmark '{b}' (one of {','.join(ALL)})")
    rocksdb = shutil.which(a.rocksdb)
    if rocksdb is None:
        if a.smoke:
            print(f"SKIP: RocksDB's db_bench ({a.rocksdb}) is not installed")
            return 77
        sys.exit(f"RocksDB's db_bench not found: --rocksdb={a.rocksdb} (apt-get install rocksdb-tools)")
    if a.baseline and not os.access(a.baseline, os.X_OK):
        sys.exit(f"baseline db_bench not found: --baseline={a.baseline}")
    if not os.access(a.ours, os.X_OK):
        sys.exit(f"our db_bench not found: --ours={a.ours}")
    use_peer = not a.no_peer and os.access(a.peer, os.X_OK)
    if not use_peer and not a.smoke and not a.no_peer:
        sys.exit(f"peer not found: --peer={a.peer}")

    scratch = a.dir or tempfile.mkdtemp(prefix="compare_db_bench")
    os.makedirs(scratch, exist_ok=True)
    common = [f"--num={a.num}", f"--reads={a.reads}", f"--batch_size={a.batch_size}",
              f"--threads={a.threads}", f"--key_size={a.key_size}", f"--value_size={a.value_size}",
              f"--seek_nexts={a.seek_nexts}", f"--cache_size={a.cache_size}",
              f"--bloom_bits={a.bloom_bits}", f"--compression_type={a.compression_type}",
              f"--seed={a.seed}", f"--write_buffer_size={a.write_buffer_size}",
              f"--max_write_buffer_number={a.max_write_buffer_number}"]
    if a.rocksdb_compaction:
        common += ["--subcompactions=1", "--target_file_size_base=67108864"]

    def db_bench_cmds(exe, engine, b):
        db = os.path.join(scratch, engine, b)
        base = [exe] + common + [f"--db={db}"]
        if a.rocksdb_compaction and engine != "rocksdb":
            base.append("--trivial_move=1")
        if b in ("fillseq", "fillrandom"):
            return [], base + [f"--benchmarks={b}"], db
        setup = [base + ["--benchmarks=fillseq"]]
        if a.compacted:
            setup.append(base + ["--use_existing_db", "--benchmarks=compact"])
        return setup, base + ["--use_existing_db", f"--benchmarks={b}"], db

    def peer_cmds(b):
        db = os.path.join(scratch, "peer", b)
        g = [a.peer, "--url", "file://" + db, "--path", "db", "--settings",
             json.dumps({"l0_sst_size_bytes": a.write_buffer_size})]
        fill = ["fill", "--num", str(a.num), "--value-size", str(a.value_size),
                "--batch", str(a.batch_size), "--seed", str(a.seed)]
        if b == "fillseq":
            return [], g + fill + ["--order", "seq"], db
        if b == "fillrandom":
            return [], g + fill + ["--order", "random"], db
        return [g + fill + ["--order", "seq"]], g + ["readrandom", "--num", str(a.num), "--reads",
                                                    str(a.reads), "--seed", str(a.seed)], db

    if a.compacted:
        use_peer = False  # the peer has no compaction step here
    engines = ["ours"] + (["base"] if a.baseline else []) + ["rocksdb"] + (["peer"] if use_peer else [])
    results = {(e, b): [] for e in engines for b in benches}
    last_cmd = {}
    for r in range(a.rounds):
        for b in benches:
            for e in engines:
                if e == "peer" and b not in PEER_CAN:
                    continue
                if e == "peer":
                    setup, cmd, db = peer_cmds(b)
                else:
                    exe = {"ours": a.ours, "base": a.baseline}.get(e, rocksdb)
                    setup, cmd, db = db_bench_cmds(exe, e, b)
                shutil.rmtree(db, ignore_errors=True)
                os.makedirs(os.path.dirname(db), exist_ok=True)
                for s in setup:
                    run_measured(s)
                out, rss, cpu = run_measured(cmd)
                if e == "peer":
                    j = json.loads(out.strip().splitlines()[-1])
                    ops = j["ops_per_sec"]
                    count = j.get("num", j.get("reads"))
                else:
                    ops, count = db_bench_ops(out, b, cmd)
                want = (a.reads if b in ("readrandom", "seekrandom", "readwhilewriting") else a.num)
                if e != "peer":
                    want *= a.threads
                if count != want:
                    sys.exit(f"{e} {b}: {count} operations, want {want}: {' '.join(cmd)}\n{out}")
                results[(e, b)].append((ops, rss, cpu * 1e6 / count))
                last_cmd[(e, b)] = setup + [cmd]
                shutil.rmtree(db, ignore_errors=True)
                print(f"round {r + 1} {e:8s} {b:17s} {ops:12.0f} ops/s  peak RSS {rss / 1024:7.1f} MiB"
                      f"  CPU {cpu * 1e6 / count:7.2f} us/op",
                      file=sys.stderr, flush=True)
    if not a.dir:
        shutil.rmtree(scratch, ignore_errors=True)

    def med(e, b, i):
        v = [x[i] for x in results[(e, b)]]
        return statistics.median(v) if v else None

    def fmt(x, scale=1.0, digits=0):
        return "n/a" if x is None else f"{x / scale:,.{digits}f}"

    def ratio(x, y):
        return "n/a" if x is None or y is None or y == 0 else f"{x / y:.2f}"

    print(f"num={a.num} reads={a.reads} batch_size={a.batch_size} threads={a.threads} "
          f"key_size={a.key_size} "
          f"cache_size={a.cache_size} compacted={a.compacted} "
          f"value_size={a.value_size} seek_nexts={a.seek_nexts} bloom_bits={a.bloom_bits} "
          f"compression={a.compression_type} write_buffer_size={a.write_buffer_size} "
          f"max_write_buffer_number={a.max_write_buffer_number} "
          f"rocksdb_compaction={a.rocksdb_compaction} "
          f"rounds={a.rounds} (medians)\n")
    cols = ["benchmark"] + [f"{e} ops/s" for e in engines]
    cols += ["ours/rocksdb"] + (["base/rocksdb", "ours/base"] if a.baseline else [])
    cols += ["ours/peer"] if use_peer else []
    cols += [f"{e} RSS MiB" for e in engines]
    cols += [f"{e} CPU us/op" for e in engines]
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for b in benches:
        row = [b] + [fmt(med(e, b, 0)) for e in engines]
        row.append(ratio(med("ours", b, 0), med("rocksdb", b, 0)))
        if a.baseline:
            row.append(ratio(med("base", b, 0), med("rocksdb", b, 0)))
            row.append(ratio(med("ours", b, 0), med("base", b, 0)))
        if use_peer:
            row.append(ratio(med("ours", b, 0), med("peer", b, 0)))
        row += [fmt(med(e, b, 1), 1024, 1) for e in engines]
        row += [fmt(med(e, b, 2), 1, 2) for e in engines]
        print("| " + " | ".join(row) + " |")
    print("\nCommands (last round; scratch paths vary):\n")
    for (e, b), cmds in last_cmd.items():
        for c in cmds:
            print(f"    {' '.join(c)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
