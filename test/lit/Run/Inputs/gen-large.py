#!/usr/bin/env python3
"""Writes a large ruleset: 10,000 rules of every common kind (deterministic)
and sets of 100,000 IPv4 addresses and 1,000 networks."""
import random
import sys

random.seed(42)
out = sys.stdout
out.write("chain large BF_HOOK_XDP{ifindex=1} ACCEPT\n")
out.write("  set blocked (ip4.saddr) in {\n")
for i in range(100000):
    out.write("    172.%d.%d.%d\n" % (16 + (i >> 16), (i >> 8) & 255, i & 255))
out.write("  }\n")
out.write("  set nets (ip4.snet) in {\n")
for i in range(1000):
    out.write("    100.%d.%d.0/24\n" % (64 + (i >> 8), i & 255))
out.write("  }\n")
out.write("  rule (ip4.saddr) in blocked counter DROP\n")
out.write("  rule (ip4.snet) in nets counter DROP\n")
for i in range(9998):
    kind = i % 10
    a = "10.%d.%d.%d" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)
    port = 1024 + i % 60000
    if kind in (0, 1):
        out.write("  rule ip4.saddr eq %s counter DROP\n" % a)
    elif kind == 2:
        out.write("  rule ip4.daddr eq %s tcp.dport eq %d counter ACCEPT\n" % (a, port))
    elif kind == 3:
        out.write("  rule tcp.dport eq %d counter DROP\n" % port)
    elif kind == 4:
        out.write("  rule udp.dport range %d-%d counter NEXT\n" % (port, port + 5))
    elif kind == 5:
        out.write("  rule ip6.saddr eq 2001:db8::%x counter DROP\n" % i)
    elif kind == 6:
        out.write("  rule ip4.snet eq 10.%d.0.0/16 tcp.flags any syn,fin DROP\n" % (i & 255))
    elif kind == 7:
        out.write("  rule ip6.snet eq 2001:db8:%x::/48 meta.l4_proto not udp counter DROP\n" % i)
    elif kind == 8:
        if i % 100 == 8:
            out.write("  rule meta.l4_proto eq icmp log internet counter CONTINUE\n")
        else:
            out.write("  rule icmp.type eq %d icmp.code eq %d counter DROP\n" % (i % 20, i % 4))
    else:
        out.write("  rule tcp.sport eq %d tcp.dport not 22 counter DROP\n" % port)
