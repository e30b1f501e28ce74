#!/usr/bin/env python3
"""A bpfilter-like ruleset at its scale: hundreds of named sets of mixed key
layouts and 25,000 rules in one XDP chain (bpfilter groups sets with the
same key format into one map; bfc shares set maps the same way, see
docs/codegen.md, "Set maps"). Compiles it with bfc, loads it with bfload
into a private bpffs and prints both wall-clock times and the set maps the
object has. Needs root. Not a test: docs/benchmarks.md records its output.

  sudo bench/many_sets.py --build build [--sets 400] [--rules 25000]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

LAYOUTS = ("(ip4.saddr)", "(ip6.saddr)", "(ip4.saddr, tcp.dport)",
           "(ip4.snet)", "(ip4.daddr, udp.dport)", "(ip6.snet)")


def element(layout, s, e):
    a, b = s % 250, e % 250
    if layout == 0:
        return f"10.{a}.{s // 250}.{b}"
    if layout == 1:
        return f"2001:db8:{s:x}::{e:x}"
    if layout == 2:
        return f"10.{a}.{200 + s // 250}.{b}, {1 + e}"
    if layout == 3:
        return f"172.{16 + s % 16}.{e % 256}.0/{24 + e % 8}"
    if layout == 4:
        return f"192.168.{a}.{b}, {1000 + e}"
    return f"2001:db8:{s:x}:{e:x}::/64"


def ruleset(sets, rules, elements):
    out = ["chain big BF_HOOK_XDP ACCEPT"]
    for s in range(sets):
        layout = s % len(LAYOUTS)
        body = "; ".join(element(layout, s, e) for e in range(elements))
        out.append(f"  set s{s} {LAYOUTS[layout]} in {{ {body} }}")
    for r in range(rules):
        if r < sets:
            out.append(f"  rule {LAYOUTS[r % len(LAYOUTS)]} in s{r} counter DROP")
            continue
        # Mostly rules the classifier turns into table entries, as in a
        # large bpfilter ruleset; every 100th is a range run in order.
        kind = 3 if r % 100 == 0 else r % 3
        if kind == 0:
            out.append(f"  rule ip4.saddr eq 100.{r >> 16 & 255}.{r >> 8 & 255}.{r & 255} counter DROP")
        elif kind == 1:
            out.append(f"  rule tcp.dport eq {r % 65535 + 1} ip4.daddr eq 100.64.{r >> 8 & 255}.{r & 255} counter DROP")
        elif kind == 2:
            out.append(f"  rule ip4.snet eq 100.{r >> 8 & 255}.{r & 255}.0/24 counter ACCEPT")
        else:
            out.append(f"  rule udp.dport range {r % 60000 + 1}-{r % 60000 + 9} ip4.saddr not 10.0.0.1 counter DROP")
    return "\n".join(out) + "\n"


def timed(cmd):
    start = time.monotonic()
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{result.stderr[-3000:]}")
    return time.monotonic() - start


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--build", required=True, help="build directory (bin/bfc, bin/bfload)")
    p.add_argument("--sets", type=int, default=400)
    p.add_argument("--rules", type=int, default=25000)
    p.add_argument("--elements", type=int, default=20, help="elements per set")
    args = p.parse_args()
    bfc = os.path.join(args.build, "bin", "bfc")
    bfload = os.path.join(args.build, "bin", "bfload")
    with tempfile.TemporaryDirectory() as temp:
        source = os.path.join(temp, "big.bf")
        obj = os.path.join(temp, "big.bpf.o")
        with open(source, "w") as f:
            f.write(ruleset(args.sets, args.rules, args.elements))
        compile_s = timed([bfc, "--emit=obj", source, "-o", obj])
        symbols = subprocess.run(["llvm-readelf", "--symbols", obj],
                                 capture_output=True, text=True).stdout
        set_maps = sorted({line.split()[-1] for line in symbols.splitlines()
                           if "OBJECT" in line and " big_set" in line})
        bpffs = os.path.join(temp, "bpffs")
        os.makedirs(bpffs)
        subprocess.run(["mount", "-t", "bpf", "bpf", bpffs], check=True)
        try:
            load_s = timed([bfload, "--bpffs-path", bpffs, "chain", "set", obj])
            get_s = timed([bfload, "--bpffs-path", bpffs, "chain", "get",
                           "--name", "big"])
        finally:
            subprocess.run(["umount", bpffs])
    print(f"{args.sets} sets ({args.elements} elements each), {args.rules} rules: "
          f"bfc {compile_s:.2f} s, bfload chain set {load_s:.2f} s, "
          f"chain get {get_s:.2f} s; set maps: {len(set_maps)} "
          f"({', '.join(set_maps)})")


if __name__ == "__main__":
    main()
