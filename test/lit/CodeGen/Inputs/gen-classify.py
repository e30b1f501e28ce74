#!/usr/bin/env python3
"""An XDP chain of N `ip4.saddr eq` rules (a classifier table) with rules no
table holds: a CONTINUE rule near the start, a range in the middle, a
negation after every classified rule: gen-classify.py N."""
import sys

n = int(sys.argv[1])
print("chain c BF_HOOK_XDP ACCEPT")
for i in range(n):
    if i == 2:
        print("  rule meta.l4_proto eq tcp counter CONTINUE")
    if i == n // 2:
        print("  rule udp.dport range 5000-5010 counter DROP")
    print(f"  rule ip4.saddr eq 10.0.{i >> 8}.{i & 255} counter DROP")
print("  rule tcp.dport not 22 counter ACCEPT")
