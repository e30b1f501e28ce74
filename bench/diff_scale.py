#!/usr/bin/env python3
"""How long `bfc diff` takes on large rulesets (docs/diff.md, "Why boxes"):
a set of N addresses and R rules of `ip4.saddr X tcp.dport Y`, the new
version with one set element swapped and the last rule dropped. Prints the
median wall-clock time of --runs runs per size. Python standard library
only; no root needed.

  bench/diff_scale.py --build build
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def ruleset(elements, rules, changed):
    lines = ["chain c BF_HOOK_XDP ACCEPT", "    set big (ip4.saddr) in {"]
    for i in range(elements):
        if changed and i == elements // 2:
            continue
        lines.append(f"        10.{i // 65536}.{(i // 256) % 256}.{i % 256}")
    if changed:
        lines.append("        192.0.2.1")
    lines += ["    }", "    rule (ip4.saddr) in big DROP"]
    for i in range(rules - changed):
        lines.append(f"    rule ip4.saddr eq 172.{16 + i // 65536}."
                     f"{(i // 256) % 256}.{i % 256} "
                     f"tcp.dport eq {1000 + i % 60000} DROP")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bfc = os.path.join(args.build, "bin", "bfc")
    print(f"{'set elements':>12} {'rules':>6} {'classes':>8} {'seconds':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for elements, rules in [(1000, 100), (10000, 1000), (100000, 1000),
                                (10000, 5000)]:
            old, new = os.path.join(tmp, "old.bf"), os.path.join(tmp, "new.bf")
            with open(old, "w") as f:
                f.write(ruleset(elements, rules, False))
            with open(new, "w") as f:
                f.write(ruleset(elements, rules, True))
            times, classes = [], 0
            for _ in range(args.runs):
                start = time.monotonic()
                run = subprocess.run([bfc, "diff", old, new],
                                     capture_output=True, text=True)
                times.append(time.monotonic() - start)
                if run.returncode != 1:
                    sys.exit(f"bfc diff failed ({run.returncode}):\n"
                             f"{run.stderr}")
                classes = run.stdout.count("\n  witness:")
            print(f"{elements:>12} {rules:>6} {classes:>8} "
                  f"{statistics.median(times):>8.2f}")


if __name__ == "__main__":
    main()
