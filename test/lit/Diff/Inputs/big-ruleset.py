# A ruleset with a 5,000-address set and 1,000 rules; argument 1 changes
# one set element and drops the last rule.
import sys

changed = sys.argv[1] == "1"
print("chain c BF_HOOK_XDP ACCEPT")
print("    set big (ip4.saddr) in {")
for i in range(5000):
    if changed and i == 1234:
        continue
    print(f"        10.{i // 65536}.{(i // 256) % 256}.{i % 256}")
if changed:
    print("        192.0.2.1")
print("    }")
print("    rule (ip4.saddr) in big DROP")
for i in range(1000 - changed):
    print(f"    rule ip4.saddr eq 172.16.{i // 256}.{i % 256} "
          f"tcp.dport eq {1000 + i} DROP")
