#!/usr/bin/env python3
"""The scale benchmark (docs/benchmarks.md): rulesets of 1,000 to 100,000
rules, compiled by bfc, loaded by bfload into a private bpffs, test-run with
BPF_PROG_TEST_RUN; with --baseline-build, every figure of two builds side by
side. Needs root. Python 3 standard library only: it drives the builds'
binaries as a user would, so it measures any two builds, old or new.

  sudo bench/scale.py --baseline-build ../old/build --build build

Per ruleset and build: compile time (bfc, wall clock), load time (bfload
chain set, wall clock), instructions after the verifier's rewrite
(bpf_prog_info.xlated_prog_len / 8) and processed by it (verified_insns),
and ns/packet (median of --runs test runs of a repeat count that makes each
run last about --run-time seconds) for packets aimed at the first, middle
and last rule and at no rule. Before timing, every packet is run once and
the counters must show it was decided by the rule it aims at. A step that
fails or takes longer than --timeout shows why in its cell.
"""

import argparse
import ctypes
import json
import os
import platform
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rulesets  # noqa: E402

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
PACKETS = ("first", "middle", "last", "none")

# ---------------------------------------------------------------- bpf(2) --
_libc = ctypes.CDLL(None, use_errno=True)
_SYS_BPF = {"x86_64": 321, "aarch64": 280}[platform.machine()]
BPF_MAP_LOOKUP_ELEM, BPF_PROG_TEST_RUN, BPF_OBJ_GET, BPF_OBJ_GET_INFO_BY_FD = 1, 10, 7, 15
ATTR_SIZE, PROG_INFO_SIZE = 144, 232


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(bytes(attr), ATTR_SIZE)
    ret = _libc.syscall(_SYS_BPF, cmd, buf, ATTR_SIZE)
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return ret, buf.raw


def addr_of(buf):
    return ctypes.addressof(buf)


def obj_get(path):
    name = ctypes.create_string_buffer(path.encode())
    attr = struct.pack("<QII", addr_of(name), 0, 0)
    return bpf(BPF_OBJ_GET, attr)[0]


def prog_insns(fd):
    """(xlated instructions, instructions the verifier processed)."""
    info = ctypes.create_string_buffer(PROG_INFO_SIZE)
    bpf(BPF_OBJ_GET_INFO_BY_FD, struct.pack("<IIQ", fd, PROG_INFO_SIZE, addr_of(info)))
    xlated_len = struct.unpack_from("<I", info.raw, 20)[0]
    verified = struct.unpack_from("<I", info.raw, 216)[0]
    return xlated_len // 8, verified


def test_run(fd, data, repeat):
    """(return code, ns per repetition)."""
    packet = ctypes.create_string_buffer(data, len(data))
    attr = struct.pack("<IIIIQQII", fd, 0, len(data), 0, addr_of(packet), 0, repeat, 0)
    _, out = bpf(BPF_PROG_TEST_RUN, attr)
    retval, duration = struct.unpack_from("<I", out, 4)[0], struct.unpack_from("<I", out, 36)[0]
    return retval, duration


def possible_cpus():
    with open("/sys/devices/system/cpu/possible") as f:
        count = 0
        for part in f.read().strip().split(","):
            lo, _, hi = part.partition("-")
            count += int(hi or lo) - int(lo) + 1
        return count


def counter_packets(map_fd, index):
    """Packets of one counter of a per-CPU counters map, summed over CPUs."""
    cpus = possible_cpus()
    key = ctypes.create_string_buffer(struct.pack("<I", index), 4)
    value = ctypes.create_string_buffer(16 * cpus)
    bpf(BPF_MAP_LOOKUP_ELEM, struct.pack("<IIQQQ", map_fd, 0, addr_of(key), addr_of(value), 0))
    return sum(struct.unpack_from("<Q", value.raw, 16 * c)[0] for c in range(cpus))


def ip4_bytes(text):
    return bytes(int(x) for x in text.split("."))


def syn_packet(t):
    """Ethernet / IPv4 / TCP SYN with the target's addresses and ports."""
    eth = b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0,
                     ip4_bytes(t.saddr), ip4_bytes(t.daddr))
    tcp = struct.pack("!HHIIBBHHH", t.sport, t.dport, 0, 0, 0x50, 0x02, 65535, 0, 0)
    return eth + ip + tcp


# ------------------------------------------------------------ measuring --
class StepFailed(Exception):
    pass


def run_step(argv, timeout, what):
    """Runs a tool; its wall-clock seconds, or StepFailed with a short why."""
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise StepFailed(f"{what} timeout >{timeout:g}s")
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise StepFailed(f"{what} failed: {failure_reason(proc.stderr)}")
    return seconds


def failure_reason(stderr):
    for pattern, reason in (("E2BIG|Argument list too long", "E2BIG"),
                            ("stack", "stack limit"),
                            ("too many maps|E2BIG.*map", "map limit"),
                            ("processed [0-9]+ insns", "verifier limit")):
        if re.search(pattern, stderr):
            return reason
    lines = [line for line in stderr.splitlines() if "error" in line] or stderr.splitlines()
    return (lines[-1] if lines else "?").strip()[:80].replace("|", "/")


def measure(binaries, name, source, targets, args, bpffs):
    """Figures of one ruleset with one build: a dict of cells."""
    cells = {}
    work = os.path.join(args.work_dir, binaries["label"])
    os.makedirs(work, exist_ok=True)
    src = os.path.join(work, f"{name}.bf")
    obj = os.path.join(work, f"{name}.bpf.o")
    with open(src, "w") as f:
        f.write(source)
    bfload = [binaries["bfload"], "--bpffs-path", bpffs]
    try:
        cells["compile"] = f"{run_step([binaries['bfc'], '-w', '-o', obj, src], args.timeout, 'compile'):.2f}"
        cells["load"] = f"{run_step(bfload + ['chain', 'set', obj], args.timeout, 'load'):.2f}"
    except StepFailed as e:
        cells["error"] = str(e)
        return cells
    pins = os.path.join(bpffs, "bfc", "bench")
    try:
        prog = obj_get(os.path.join(pins, "prog"))
        counters = obj_get(os.path.join(pins, "bench_counters"))
    except OSError as e:
        cells["error"] = f"pinned program: {e.strerror}"
        subprocess.run(bfload + ["ruleset", "flush"], capture_output=True, timeout=args.timeout)
        return cells
    try:
        cells["xlated"], cells["verified"] = (str(v) for v in prog_insns(prog))
        rules = source.count("\n  rule ")
        for which, target in targets.items():
            data = syn_packet(target)
            index = rules if target.rule is None else target.rule
            before = counter_packets(counters, index)
            _, ns = test_run(prog, data, 1)
            if counter_packets(counters, index) != before + 1:
                cells[which] = "wrong rule"
                continue
            repeat = int(min(max(args.run_time * 1e9 / max(ns, 1), 1000), args.max_repeat))
            cells[which] = str(statistics.median(
                test_run(prog, data, repeat)[1] for _ in range(args.runs)))
    finally:
        os.close(prog)
        os.close(counters)
        subprocess.run(bfload + ["ruleset", "flush"], capture_output=True, timeout=args.timeout)
    return cells


def rulesets_to_run(args):
    """(name, title, source, targets) in table order, generated one by one
    (100,000 rules are megabytes of text)."""
    only_none = {"first": None, "middle": None, "last": None, "none": rulesets.Target(None)}
    yield "empty", "empty chain", rulesets.CHAIN, only_none
    for n in args.sizes:
        for kind in args.kinds:
            text, targets = rulesets.GENERATORS[kind](n)
            yield f"{kind}-{n}", f"{n:,} x {rulesets.TITLES[kind]}", text, targets
    with open(os.path.join(BENCH_DIR, "rulesets", "host-firewall.bf")) as f:
        # Loaded, not attached: the benchmark must not filter the host's lo.
        firewall = re.sub(r"BF_HOOK_XDP\{[^}]*\}", "BF_HOOK_XDP", f.read(), count=1)
    firewall = firewall.replace("chain fw ", "chain bench ", 1)
    yield "host-firewall", "host firewall (30 rules)", firewall, only_none


def measure_all(binaries, name, source, targets, args, bpffs):
    real = {w: t for w, t in targets.items() if t is not None}
    cells = measure(binaries, name, source, real, args, bpffs)
    for w in PACKETS:
        if targets[w] is None:
            cells[w] = "-"
    return cells


COLUMNS = ("compile", "load", "xlated", "verified") + PACKETS


def cell(builds, key):
    """`baseline / new` (or one value); a failure in the first column it
    left empty."""
    def one(c):
        if key in c:
            return c[key]
        missing = [k for k in COLUMNS if k not in c]
        return c["error"] if "error" in c and missing[0] == key else "-"
    return " / ".join(one(c) for c in builds)


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{cpu} ({os.cpu_count()} CPUs), Linux {platform.release()}"


def tools_of(build, label):
    binaries = {"label": label}
    for tool in ("bfc", "bfload"):
        path = os.path.join(build, "bin", tool)
        if not os.access(path, os.X_OK):
            sys.exit(f"scale.py: no {path}: build the bfc and bfload targets")
        binaries[tool] = path
    return binaries


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", required=True, help="build directory measured (its bin/bfc, bin/bfload)")
    p.add_argument("--baseline-build", help="build directory to compare with, shown first in each cell")
    p.add_argument("--sizes", default="1000,10000,100000", help="rule counts (default %(default)s)")
    p.add_argument("--kinds", default=",".join(rulesets.KINDS), help="default %(default)s")
    p.add_argument("--timeout", type=float, default=300, help="seconds per compile or load (default %(default)s)")
    p.add_argument("--runs", type=int, default=3, help="test runs per packet, median (default %(default)s)")
    p.add_argument("--run-time", type=float, default=0.2, help="seconds per test run (default %(default)s)")
    p.add_argument("--max-repeat", type=int, default=1000000)
    p.add_argument("--work-dir", help="keep the rulesets and objects here (default: a temporary directory)")
    p.add_argument("--json", help="also write the figures to this file")
    args = p.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",") if s]
    args.kinds = [k for k in args.kinds.split(",") if k]
    if unknown := set(args.kinds) - set(rulesets.KINDS):
        sys.exit(f"scale.py: unknown kinds {sorted(unknown)}")
    if os.geteuid() != 0:
        sys.exit("scale.py: loading BPF programs needs root")
    builds = [tools_of(args.build, "new")]
    if args.baseline_build:
        builds.insert(0, tools_of(args.baseline_build, "baseline"))
    temp = tempfile.mkdtemp(prefix="bfc-scale-")
    args.work_dir = args.work_dir or temp
    bpffs = os.path.join(temp, "bpffs")
    os.makedirs(bpffs)
    subprocess.run(["mount", "-t", "bpf", "bpf", bpffs], check=True)
    results = []
    try:
        both = " (baseline / new)" if args.baseline_build else ""
        print(f"Machine: {machine()}. Cells{both}: compile and load in seconds, "
              f"ns/packet median of {args.runs} test runs.\n")
        print("| ruleset | compile (s) | load (s) | xlated insns | verified insns | "
              "ns first | ns middle | ns last | ns none |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, title, source, targets in rulesets_to_run(args):
            row = [measure_all(b, name, source, targets, args, bpffs) for b in builds]
            results.append({"ruleset": name, "title": title,
                            "builds": {b["label"]: c for b, c in zip(builds, row)}})
            print(f"| {title} | " + " | ".join(cell(row, k) for k in COLUMNS) + " |", flush=True)
    finally:
        subprocess.run(["umount", bpffs])
        shutil.rmtree(temp, ignore_errors=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
