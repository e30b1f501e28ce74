#!/usr/bin/env python3
"""200 named sets in one chain, 50 of each key layout: (ip4.saddr),
(ip6.saddr), (ip4.saddr, tcp.dport) and (ip4.snet). One map per set would
pass the kernel's 64 maps per program; sets of one layout share a map.

gen-shared-set-maps.py rules -> the ruleset;
gen-shared-set-maps.py packets -> a packet hitting each set (its second
element: a set id ignored would make it hit an earlier set), and packets
hitting none."""
import sys

SETS = 200


def elements(i):
    n = i // 4  # the set's number within its layout
    layout = i % 4
    if layout == 0:
        return [f"10.0.{n}.1", f"10.0.{n}.2"]
    if layout == 1:
        return [f"2001:db8::{n:x}:1", f"2001:db8::{n:x}:2"]
    if layout == 2:
        return [f"10.1.{n}.1, {1000 + n}", f"10.1.{n}.2, {2000 + n}"]
    # Nested networks: the /24 of the next set lies inside this /16.
    return [f"10.{100 + n}.0.0/16", f"10.{101 + n}.{n}.0/24"]


def key(i):
    return ["(ip4.saddr)", "(ip6.saddr)", "(ip4.saddr, tcp.dport)",
            "(ip4.snet)"][i % 4]


def packet(i):
    n = i // 4
    layout = i % 4
    if layout == 0:
        return f"eth/ip4(src=10.0.{n}.2)/udp"
    if layout == 1:
        return f"eth/ip6(src=2001:db8::{n:x}:2)/udp"
    if layout == 2:
        return f"eth/ip4(src=10.1.{n}.2)/tcp(dport={2000 + n})"
    return f"eth/ip4(src=10.{101 + n}.{n}.9)/udp"


if sys.argv[1] == "rules":
    print("chain many BF_HOOK_XDP ACCEPT")
    for i in range(SETS):
        print(f"  set s{i} {key(i)} in {{ {'; '.join(elements(i))} }}")
    for i in range(SETS):
        verdict = "DROP" if i % 3 else "ACCEPT"
        print(f"  rule {key(i)} in s{i} counter {verdict}")
else:
    for i in range(SETS):
        print(packet(i))
    # Near misses: a port of another set, an address of no set.
    print("eth/ip4(src=10.1.3.2)/tcp(dport=2004)")
    print("eth/ip4(src=10.0.200.1)/udp")
    print("eth/ip6(src=2001:db8::ff:3)/tcp")
    print("eth/ip4(src=11.0.0.1)/tcp")
