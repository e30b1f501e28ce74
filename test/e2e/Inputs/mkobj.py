#!/usr/bin/env python3
"""Builds the e2e tests' objects: one or two chains of the same shape,

  chain NAME HOOK{OPTIONS} ACCEPT
      set blocked (ip4.saddr) in { BLOCKED... }    (ip4.daddr on sock_addr)
      rule (ip4.saddr) in blocked log counter DROP
      rule meta.iface eq IFACE udp.dport eq PORT counter DROP
                          (netfilter: no meta.iface; sock_addr: meta.dport)
      rule ip4.proto eq icmp counter ACCEPT

either compiled by bfc from that source (when bfc can write objects), or
hand-written in C (chain.h) and compiled by clang, with the .bfc.meta and
.bfc.sets sections mkobj writes itself (docs/object-format.md). The clang
path also makes what bfc never writes: newer format versions, programs the
verifier refuses."""
import argparse
import ipaddress
import json
import os
import struct
import subprocess
import sys
import tempfile

HOOKS = {
    # name: (number in test_chain.bpf.c, hook, section)
    "xdp": (1, "BF_HOOK_XDP", "xdp"),
    "tc_ingress": (2, "BF_HOOK_TC_INGRESS", "tc"),
    "tc_egress": (3, "BF_HOOK_TC_EGRESS", "tc"),
    "cgskb_ingress": (4, "BF_HOOK_CGROUP_SKB_INGRESS", "cgroup_skb/ingress"),
    "cgskb_egress": (5, "BF_HOOK_CGROUP_SKB_EGRESS", "cgroup_skb/egress"),
    "nf_pre_routing": (6, "BF_HOOK_NF_PRE_ROUTING", "netfilter"),
    "nf_local_in": (6, "BF_HOOK_NF_LOCAL_IN", "netfilter"),
    "nf_forward": (6, "BF_HOOK_NF_FORWARD", "netfilter"),
    "nf_local_out": (6, "BF_HOOK_NF_LOCAL_OUT", "netfilter"),
    "nf_post_routing": (6, "BF_HOOK_NF_POST_ROUTING", "netfilter"),
    "connect4": (7, "BF_HOOK_CGROUP_SOCK_ADDR_CONNECT4", "cgroup/connect4"),
}


def rules(hook, port, iface):
    if hook == "connect4":
        return [
            ("rule (ip4.daddr) in blocked log counter DROP", "DROP", True),
            (f"rule meta.dport eq {port} counter DROP", "DROP", False),
            ("rule ip4.proto eq icmp counter ACCEPT", "ACCEPT", False),
        ]
    if hook.startswith("nf_"):
        second = f"rule udp.dport eq {port} counter DROP"
    else:
        second = f"rule meta.iface eq {iface} udp.dport eq {port} counter DROP"
    return [
        ("rule (ip4.saddr) in blocked log counter DROP", "DROP", True),
        (second, "DROP", False),
        ("rule ip4.proto eq icmp counter ACCEPT", "ACCEPT", False),
    ]


def hook_options_text(options):
    parts = []
    if "ifindex" in options:
        parts.append(f"ifindex={options['ifindex']}")
    if "cgpath" in options:
        parts.append(f"cgpath={options['cgpath']}")
    if "priorities" in options:
        a, b = options["priorities"]
        parts.append(f"priorities={a}-{b}")
    return "{" + ",".join(parts) + "}" if parts else ""


def chain_source(name, hook, port, iface, options, blocked):
    key = "ip4.daddr" if hook == "connect4" else "ip4.saddr"
    lines = [f"chain {name} {HOOKS[hook][1]}{hook_options_text(options or {})} ACCEPT",
             f"    set blocked ({key}) in {{ {'; '.join(blocked)} }}"]
    lines += ["    " + text for text, _, _ in rules(hook, port, iface)]
    return "\n".join(lines).replace("(ip4.saddr) in blocked",
                                    f"({key}) in blocked") + "\n"


def bfc_writes_objects(bfc):
    try:
        out = subprocess.run([bfc, "--help"], capture_output=True, text=True,
                             timeout=30).stdout
    except OSError:
        return False
    return any(word.strip("{},:") == "obj" for word in out.split())


def chain_meta(name, hook, port, iface, options, global_set_index):
    rule_list = []
    for i, (text, verdict, logs) in enumerate(rules(hook, port, iface)):
        rule = {"index": i, "text": text, "line": 3 + i, "column": 5,
                "counter": True, "verdict": verdict}
        if logs:
            rule["log"] = {"headers": ["link", "internet", "transport"],
                           "every_ns": 0}
        rule_list.append(rule)
    n = len(rule_list)
    key = "ip4.daddr" if hook == "connect4" else "ip4.saddr"
    return {
        "name": name, "hook": HOOKS[hook][1], "program": name,
        "section": HOOKS[hook][2], "policy": "ACCEPT",
        "attach": bool(options), "options": options or {},
        "counters": {"map": f"{name}_counters", "size": n + 2,
                     "policy": n, "errors": n + 1},
        "log": {"map": f"{name}_log"},
        "rules": rule_list,
        "sets": [{"index": 0, "name": "blocked", "anonymous": False,
                  "map": f"{name}_set0", "key": [key], "lpm": False,
                  "key_size": 4, "max_entries": 16}],
    }


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--clang", default="clang-19")
    p.add_argument("--objcopy", default="llvm-objcopy-19")
    p.add_argument("--include", action="append", default=[],
                   help="include directory (runtime headers)")
    p.add_argument("--chain", action="append", default=[],
                   help="NAME:HOOK:PORT (HOOK one of %s)" % ", ".join(HOOKS))
    p.add_argument("--blocked", action="append", default=[],
                   help="initial element of every chain's 'blocked' set")
    p.add_argument("--options", action="append", default=[],
                   help="NAME=JSON hook options of chain NAME")
    p.add_argument("--iface", default="bfc0", help="host slot 0 interface")
    p.add_argument("--version", type=int, default=1,
                   help="metadata format version to write")
    p.add_argument("--bfc", help="the bfc compiler")
    p.add_argument("--compiler", choices=["auto", "bfc", "clang"],
                   default=os.environ.get("BFC_E2E_COMPILER", "auto"),
                   help="auto: bfc when it writes objects, else clang")
    p.add_argument("--print-compiler", action="store_true",
                   help="print the compiler --compiler=auto picks and exit")
    p.add_argument("--bad-program", action="store_true",
                   help="a program the verifier refuses")
    p.add_argument("-o", "--output")
    args = p.parse_args()
    if args.print_compiler:
        auto = "bfc" if args.bfc and bfc_writes_objects(args.bfc) else "clang"
        print(auto if args.compiler == "auto" else args.compiler)
        return
    if not args.output:
        sys.exit("mkobj: -o is required")

    if not 1 <= len(args.chain) <= 2:
        sys.exit("mkobj: one or two --chain")
    options = {}
    for spec in args.options:
        name, _, value = spec.partition("=")
        options[name] = json.loads(value)

    src = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                       "test_chain.bpf.c")
    defines = []
    chains = []
    for i, spec in enumerate(args.chain, start=1):
        name, hook, port = spec.split(":")
        if hook not in HOOKS:
            sys.exit(f"mkobj: unknown hook {hook}")
        defines += [f"-DCHAIN{i}={name}", f"-DHOOK{i}={HOOKS[hook][0]}",
                    f"-DPORT{i}={int(port)}"]
        chains.append(chain_meta(name, hook, int(port), args.iface,
                                 options.get(name), i - 1))

    compiler = args.compiler
    if args.bad_program or args.version != 1:
        compiler = "clang"  # bfc never writes these
    if compiler == "auto":
        compiler = ("bfc" if args.bfc and bfc_writes_objects(args.bfc)
                    else "clang")
    if compiler == "bfc":
        if not args.bfc:
            sys.exit("mkobj: --compiler bfc needs --bfc")
        source = ""
        for spec in args.chain:
            name, hook, port = spec.split(":")
            source += chain_source(name, hook, int(port), args.iface,
                                   options.get(name), args.blocked)
        with tempfile.TemporaryDirectory() as tmp:
            src_file = os.path.join(tmp, "ruleset.bf")
            with open(src_file, "w") as f:
                f.write(source)
            result = subprocess.run([args.bfc, "-w", "--emit=obj", "-o", args.output,
                                     src_file])
            if result.returncode != 0:
                sys.exit(f"mkobj: bfc failed on:\n{source}")
        return

    meta = {
        "format": "bfc-object", "version": args.version,
        "bfc_version": "0.1.0-test",
        "source": {"name": "test_chain.bpf.c", "sha256": ""},
        "host_slots": [{"index": 0, "kind": "ifindex", "name": args.iface}],
        "chains": chains,
    }
    if args.bad_program:
        defines.append("-DBFC_TEST_BAD_PROGRAM")
    sets = b""
    for set_index in range(len(chains)):
        for element in args.blocked:
            sets += struct.pack("<II", set_index, 0)
            sets += ipaddress.IPv4Address(element).packed

    with tempfile.TemporaryDirectory() as tmp:
        obj = os.path.join(tmp, "chain.o")
        cmd = [args.clang, "-target", "bpf", "-mcpu=v3", "-O2", "-g",
               "-ffreestanding", "-c",
               src, "-o", obj, *defines]
        for inc in args.include:
            cmd += ["-I", inc]
        # <linux/*.h> needs <asm/*.h>, which lives in the multiarch dir.
        arch = subprocess.run([args.clang, "-dumpmachine"],
                              capture_output=True, text=True).stdout.strip()
        arch = arch.replace("-pc-", "-").replace("-unknown-", "-")
        if arch and os.path.isdir(f"/usr/include/{arch}"):
            cmd += ["-idirafter", f"/usr/include/{arch}"]
        subprocess.run(cmd, check=True)
        meta_file = os.path.join(tmp, "meta")
        with open(meta_file, "wb") as f:
            f.write(json.dumps(meta, indent=1).encode() + b"\0")
        sets_file = os.path.join(tmp, "sets")
        with open(sets_file, "wb") as f:
            f.write(sets)
        out_tmp = args.output + ".tmp"
        subprocess.run([args.objcopy,
                        f"--add-section=.bfc.meta={meta_file}",
                        f"--add-section=.bfc.sets={sets_file}",
                        obj, out_tmp], check=True)
        os.replace(out_tmp, args.output)


if __name__ == "__main__":
    main()
