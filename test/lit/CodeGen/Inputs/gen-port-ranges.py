"""Writes an XDP chain of N `tcp.dport range` rules (never classified: each
is tested in order), then, if asked, M `ip4.saddr eq` rules (classified)."""
import sys

ranges = int(sys.argv[1])
addresses = int(sys.argv[2]) if len(sys.argv) > 2 else 0
print("chain lines BF_HOOK_XDP ACCEPT")
for i in range(ranges):
    print(f"    rule tcp.dport range {i + 1}-{i + 2} counter DROP")
for i in range(addresses):
    print(f"    rule ip4.saddr eq 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255} counter DROP")
