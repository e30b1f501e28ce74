#!/usr/bin/env python3
"""Writes a netfilter chain whose -O2 code needs more than the BPF backend's
512-byte stack: 260 CONTINUE rules over many header fields (LLVM keeps the
values it shares between rules across the epilogue calls, in spill slots),
and a set of 128-byte keys (deterministic)."""
import random

random.seed(1)
key = "(" + ", ".join(["ip6.saddr", "ip6.daddr"] * 4) + ")"
tests = ["ip4.saddr not 10.0.0.{a}", "ip4.daddr not 10.1.0.{a}",
         "ip4.dscp not {a}", "ip4.proto not {a}",
         "tcp.sport range {a}-{b}0", "tcp.dport range {a}-{b}0",
         "udp.sport range {a}-{b}0", "udp.dport range {a}-{b}0",
         "icmp.type not {a}", "icmp.code not {a}", "icmpv6.type not {a}",
         "icmpv6.code not {a}", "ip6.dscp not {a}", "tcp.flags any syn",
         "meta.sport range {a}-{b}0", "meta.dport range {a}-{b}0",
         "ip6.saddr not 2001:db8::{a}", "ip6.daddr not 2001:db8::{b}",
         "ip6.snet not 2001:db8:{a}::/47", "ip6.dnet not 2001:db8:{b}::/33",
         "ip4.snet not 10.{a}.0.0/13", "ip4.dnet not 10.{b}.0.0/11"]
print("chain c BF_HOOK_NF_LOCAL_IN ACCEPT")
print("  set s %s in { %s }" % (key, ", ".join(["::1", "::2"] * 4)))
for i in range(260):
    body = " ".join(t.format(a=random.randint(1, 50), b=random.randint(51, 99))
                    for t in random.sample(tests, 2))
    print("  rule %s counter CONTINUE" % body)
    if i == 130:
        print("  rule %s in s counter DROP" % key)
