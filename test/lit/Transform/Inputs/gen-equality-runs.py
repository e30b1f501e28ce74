"""Prints a chain of RUNS runs of PER `FIELD eq V` rules without counters,
verdicts alternating between runs so that no two runs join: each run is a
candidate for equalities-to-sets, more of them than a program has maps or
stack for. Run k's values: 10.k.0.j (ip4), 2001:db8:k::j+1 (ip6),
2001:db8:k:j::/64 (ip6 networks)."""
import sys

kind, runs, per = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
hook = sys.argv[4] if len(sys.argv) > 4 else "BF_HOOK_XDP"
values = {
    "ip4": ("ip4.saddr", lambda k, j: f"10.{k}.0.{j}"),
    "ip6": ("ip6.saddr", lambda k, j: f"2001:db8:{k:x}::{j + 1:x}"),
    "ip6net": ("ip6.snet", lambda k, j: f"2001:db8:{k:x}:{j:x}::/64"),
}
field, value = values[kind]
print(f"chain runs {hook} ACCEPT")
for k in range(runs):
    for j in range(per):
        print(f"  rule {field} eq {value(k, j)} {'ACCEPT' if k % 2 else 'DROP'}")
