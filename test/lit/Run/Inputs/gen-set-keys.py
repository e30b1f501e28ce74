#!/usr/bin/env python3
"""Chains whose set keys used to overflow the 512-byte stack (one stack key
buffer per set): gen-set-keys.py ip6 -> 30 rules of (ip6.saddr) sets;
gen-set-keys.py mix -> 300 rules (a large chain, cut into subprograms)
with 60 sets of IPv6 addresses and networks."""
import sys

kind = sys.argv[1]
print("chain keys BF_HOOK_XDP ACCEPT")
if kind == "ip6":
    for i in range(30):
        print(f"  rule (ip6.saddr) in {{ 2001:db8::{i:x}; 2001:db8::1:{i:x} }}"
              " counter DROP")
else:
    for i in range(300):
        if i % 10 == 0:
            print(f"  rule (ip6.saddr) in {{ 2001:db8::{i:x}; 2001:db8::1:{i:x} }}"
                  " counter DROP")
        elif i % 10 == 5:
            print(f"  rule (ip6.snet) in {{ 2001:db8:{i:x}::/48 }} log counter CONTINUE")
        else:
            print(f"  rule tcp.dport range {i + 1}-{i + 3} tcp.sport not {i}"
                  " counter DROP")
