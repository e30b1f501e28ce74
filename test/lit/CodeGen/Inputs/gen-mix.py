#!/usr/bin/env python3
"""An XDP chain of N rules like bench/rulesets.py's mix: each an
`ip4.saddr eq` key and one of a few guard templates (ranges, negations,
flags, a set), some CONTINUE with a log: gen-mix.py N."""
import sys

TEMPLATES = (
    "tcp.dport range 400-{p} counter DROP",
    "ip4.proto not udp counter ACCEPT",
    "log counter CONTINUE",
    "(tcp.dport) in services counter ACCEPT",
    "tcp.dport not {p} counter DROP",
    "tcp.flags any syn,fin counter DROP",
    "counter DROP",
    "tcp.sport range {p}-65535 log counter CONTINUE",
)
n = int(sys.argv[1])
print("chain m BF_HOOK_XDP ACCEPT")
print("  set services (tcp.dport) in { 80; 443 }")
print("  rule tcp.flags any syn counter CONTINUE")
for i in range(n):
    body = TEMPLATES[i % len(TEMPLATES)].format(p=500 + i)
    print(f"  rule ip4.saddr eq 10.0.{i >> 8}.{i & 255} {body}")
