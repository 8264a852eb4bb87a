#!/usr/bin/env python3
"""Side-by-side benchmark of slatedb-cpp and the official SlateDB 0.12.1 (the peer).

Runs the same `fill` and `readrandom` command lines against both CLIs on fresh local
directories, in one invocation (machines here are noisy: only same-run ratios mean anything),
and prints one JSON line per run plus a summary with ratios and peak RSS of each process.

usage: bench/compare.py [--num 1000000] [--reads 200000] [--value-size 100] [--batch 100]
                        [--ours build/release/tools/cli/slatedb] [--peer ../shared/peer/slatedb-peer]
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def measure(cli, url, args):
    # A fresh interpreter per measurement so RUSAGE_CHILDREN covers only this command.
    code = ("import json,resource,subprocess,sys;"
            "p=subprocess.run(sys.argv[1:],capture_output=True,text=True);"
            "sys.stderr.write(p.stderr);"
            "r=json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode==0 else {'error':p.returncode};"
            "r['peak_rss_kb']=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss;"
            "print(json.dumps(r))")
    cmd = [sys.executable, "-c", code, cli, "--url", url, "--path", "bench"] + args
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0 or "error" in p.stdout:
        sys.exit(f"failed: {' '.join(cmd[3:])}\n{p.stderr}\n{p.stdout}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--num", type=int, default=1000000)
    ap.add_argument("--reads", type=int, default=200000)
    ap.add_argument("--value-size", type=int, default=100)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--ours", default=os.path.join(ROOT, "build/release/tools/cli/slatedb"))
    ap.add_argument("--peer", default=os.path.join(ROOT, "../shared/peer/slatedb-peer"))
    ap.add_argument("--dir", default=None, help="scratch directory (default: a temp dir)")
    a = ap.parse_args()

    scratch = a.dir or tempfile.mkdtemp(prefix="slatedb-bench-")
    results = {}
    try:
        for name, cli in (("peer", a.peer), ("ours", a.ours)):
            d = os.path.join(scratch, name)
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            url = "file://" + d
            fill = measure(cli, url, ["fill", "--num", str(a.num), "--value-size", str(a.value_size),
                                      "--batch", str(a.batch)])
            read = measure(cli, url, ["readrandom", "--num", str(a.num), "--reads", str(a.reads)])
            results[name] = {"fill": fill, "readrandom": read}
            print(json.dumps({"engine": name, "fill": fill, "readrandom": read}))
    finally:
        if not a.dir:
            shutil.rmtree(scratch, ignore_errors=True)
    p, o = results["peer"], results["ours"]
    summary = {
        "fill_ops_per_sec": {"ours": o["fill"]["ops_per_sec"], "peer": p["fill"]["ops_per_sec"],
                             "ratio": o["fill"]["ops_per_sec"] / p["fill"]["ops_per_sec"]},
        "readrandom_ops_per_sec": {"ours": o["readrandom"]["ops_per_sec"],
                                   "peer": p["readrandom"]["ops_per_sec"],
                                   "ratio": o["readrandom"]["ops_per_sec"] / p["readrandom"]["ops_per_sec"]},
        "peak_rss_kb": {"ours_fill": o["fill"]["peak_rss_kb"], "peer_fill": p["fill"]["peak_rss_kb"],
                        "ours_readrandom": o["readrandom"]["peak_rss_kb"],
                        "peer_readrandom": p["readrandom"]["peak_rss_kb"]},
    }
    print(json.dumps({"summary": summary}, indent=1))


if __name__ == "__main__":
    main()
