#!/usr/bin/env python3
"""A TC chain of N rules with counters, logs (some with `every`), marks,
CONTINUE and REDIRECT: gen-effects.py N [HOOK]."""
import sys

n = int(sys.argv[1])
hook = sys.argv[2] if len(sys.argv) > 2 else "BF_HOOK_TC_INGRESS"
print(f"chain effects {hook} ACCEPT")
for i in range(n):
    port = 1000 + i
    kind = i % 5
    if kind == 0:
        print(f"  rule tcp.dport eq {port} counter CONTINUE")
    elif kind == 1:
        print(f"  rule udp.dport eq {port} log internet every 1s counter CONTINUE")
    elif kind == 2:
        print(f"  rule tcp.sport eq {port} mark {i} counter CONTINUE")
    elif kind == 3:
        print(f"  rule udp.sport eq {port} log transport counter DROP")
    else:
        print(f"  rule tcp.dport eq {port} counter REDIRECT lo out")
