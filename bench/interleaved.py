#!/usr/bin/env python3
"""ns/packet of one ruleset compiled by two builds, and of the empty chain,
measured in alternation (docs/benchmarks.md). On a shared or virtual machine
the speed drifts by tens of percent between seconds; scale.py measures each
program at its own moment, so single cells move by +-15 ns. Here the three
programs are loaded at once (one private bpffs per build) and each round
runs every program once per packet, so they share the drift; the figure is
the median over the rounds.

  sudo bench/interleaved.py --baseline-build ../old/build --build build \\
      --kind mix --size 10000
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rulesets  # noqa: E402
import scale  # noqa: E402


def load(build, source, work, label):
    """The pinned program of `source` compiled and loaded by `build`, in a
    bpffs of its own (mounted under `work`)."""
    bpffs = os.path.join(work, f"bpffs-{label}")
    os.makedirs(bpffs)
    subprocess.run(["mount", "-t", "bpf", "bpf", bpffs], check=True)
    src, obj = os.path.join(work, f"{label}.bf"), os.path.join(work, f"{label}.bpf.o")
    with open(src, "w") as f:
        f.write(source)
    bin_dir = os.path.join(build, "bin")
    subprocess.run([os.path.join(bin_dir, "bfc"), "-w", "-o", obj, src], check=True)
    subprocess.run([os.path.join(bin_dir, "bfload"), "--bpffs-path", bpffs,
                    "chain", "set", obj], check=True)
    return bpffs, scale.obj_get(os.path.join(bpffs, "bfc", "bench", "prog"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--baseline-build", required=True)
    parser.add_argument("--kind", default="mix", choices=rulesets.KINDS)
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--repeat", type=int, default=300000,
                        help="BPF_PROG_TEST_RUN repetitions per run")
    args = parser.parse_args()

    text, targets = rulesets.GENERATORS[args.kind](args.size)
    with tempfile.TemporaryDirectory(prefix="bfc-interleaved-") as work:
        mounts, progs = [], {}
        try:
            for label, build, source in (("baseline", args.baseline_build, text),
                                         ("new", args.build, text),
                                         ("empty", args.build, rulesets.CHAIN)):
                bpffs, progs[label] = load(build, source, work, label)
                mounts.append(bpffs)
            print(f"{args.size:,} x {rulesets.TITLES[args.kind]}: ns/packet, "
                  f"median of {args.rounds} alternating runs of {args.repeat:,} "
                  "(baseline / new / empty chain)")
            for which, target in targets.items():
                packet = scale.syn_packet(target)
                runs = {label: [] for label in progs}
                for _ in range(args.rounds):
                    for label, prog in progs.items():
                        runs[label].append(scale.test_run(prog, packet, args.repeat)[1])
                cells = " / ".join(str(statistics.median(runs[label])) for label in progs)
                print(f"  {which:6} {cells}")
        finally:
            for fd in progs.values():
                os.close(fd)
            for bpffs in mounts:
                subprocess.run(["umount", bpffs], check=False)


if __name__ == "__main__":
    main()
