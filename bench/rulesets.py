"""Deterministic generators of the scale benchmark's rulesets (bench/scale.py).

Every generator returns (text, targets): the ruleset source, an XDP chain
named `bench` whose rules all have a counter, and the packets to time:
{"first"|"middle"|"last"|"none": Target}. A target names the rule that must
decide the packet (None: the policy) and the packet's header values.
"""

import random
from dataclasses import dataclass
from typing import Optional

CHAIN = "chain bench BF_HOOK_XDP ACCEPT\n"
KINDS = ("saddr", "snet", "dport", "tuple", "mix", "ranges")


@dataclass
class Target:
    rule: Optional[int]  # the rule that decides the packet, None: the policy
    saddr: str = "192.0.2.200"
    daddr: str = "10.0.0.2"
    sport: int = 40000
    dport: int = 9999


def addr(i, first=10):
    """A distinct IPv4 address per rule index (up to 2^24 of them)."""
    return f"{first}.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def ip4_text(value):
    return ".".join(str((value >> s) & 255) for s in (24, 16, 8, 0))


def spread(n, targets):
    """first/middle/last/none targets, from `target(i)` for rule indexes."""
    return {"first": targets(0), "middle": targets(n // 2),
            "last": targets(n - 1), "none": Target(None)}


def saddr_rules(n):
    """`ip4.saddr eq A`, distinct addresses."""
    text = CHAIN + "".join(f"  rule ip4.saddr eq {addr(i)} counter DROP\n"
                           for i in range(n))
    return text, spread(n, lambda i: Target(i, saddr=addr(i)))


def snet_rules(n, seed=1):
    """`ip4.snet eq NET/L`, L from 8 to 32 (each length at least once, then
    mostly long prefixes so that 100,000 networks fit), disjoint networks in
    a deterministic shuffled order: a packet inside a rule's network matches
    that rule only."""
    rng = random.Random(seed)
    lengths = [8 + i for i in range(min(n, 25))]
    weights = [2 ** (-k / 2) for k in range(17)]  # L = 32 - k, 16..32
    lengths += [32 - k for k in rng.choices(range(17), weights, k=n - len(lengths))]
    # Largest blocks first: every block stays aligned to its own size.
    order = sorted(range(n), key=lambda i: lengths[i])
    nets = [0] * n
    at = 1 << 24  # 1.0.0.0; everything stays below 192.0.0.0
    for i in order:
        size = 1 << (32 - lengths[i])
        at = (at + size - 1) // size * size
        nets[i] = at
        at += size
    assert at < 192 << 24
    rng.shuffle(order)
    rules = [(nets[i], lengths[i]) for i in order]
    text = CHAIN + "".join(f"  rule ip4.snet eq {ip4_text(net)}/{length} counter DROP\n"
                           for net, length in rules)

    def target(i):
        net, length = rules[i]
        host = net + (1 if length < 32 else 0)
        return Target(i, saddr=ip4_text(host))
    return text, spread(n, target)


PORTS = 65000  # distinct ports used alone; 65535 is the port no rule has


def dport_rules(n):
    """`tcp.dport eq P`. There are only 65,536 ports: ports 1..65,000 are
    used once each, and for larger n the first n - 65,000 rules add
    `ip4.daddr eq 10.0.0.1` to a port (placed first, so no rule shadows
    another). Rule packets go to 10.0.0.2 unless their rule has the daddr."""
    paired = max(0, n - PORTS)
    rules, targets = [], []
    for i in range(n):
        if i < paired:
            port = 1 + i % PORTS
            rules.append(f"  rule ip4.daddr eq 10.0.0.1 tcp.dport eq {port} counter DROP\n")
            targets.append(("10.0.0.1", port))
        else:
            port = 1 + (i - paired)
            rules.append(f"  rule tcp.dport eq {port} counter DROP\n")
            targets.append(("10.0.0.2", port))
    result = spread(n, lambda i: Target(i, daddr=targets[i][0], dport=targets[i][1]))
    result["none"] = Target(None, dport=65535)
    return CHAIN + "".join(rules), result


def tuple_rules(n):
    """(ip4.saddr, ip4.daddr, ip4.proto tcp, tcp.dport), distinct tuples."""
    def fields(i):
        return addr(i), f"172.16.{(i >> 8) & 255}.{i & 255}", 1024 + (i * 7919) % 60000
    text = CHAIN
    for i in range(n):
        s, d, p = fields(i)
        text += (f"  rule ip4.saddr eq {s} ip4.daddr eq {d} ip4.proto eq tcp "
                 f"tcp.dport eq {p} counter DROP\n")

    def target(i):
        s, d, p = fields(i)
        return Target(i, saddr=s, daddr=d, dport=p)
    return text, spread(n, target)


# The mix: a blocklist set, an admin rule, a CONTINUE rule counting SYNs,
# then rules on one source address each with a second matcher that varies:
# ranges, negations, a set, flags, CONTINUE + log. The rule packets are TCP
# SYNs to 10.255.0.2:443, which every template's second matcher accepts.
MIX_TEMPLATES = (
    "tcp.dport range 400-500 counter DROP",
    "ip4.proto not udp counter ACCEPT",
    "log counter CONTINUE",
    "(tcp.dport) in services counter ACCEPT",
    "tcp.dport not 22 counter DROP",
    "tcp.flags any syn,fin counter DROP",
    "ip4.daddr not 10.255.0.1 counter ACCEPT",
    "meta.dport range 1-1023 counter DROP",
    "counter DROP",
    "tcp.sport range 1024-65535 log counter CONTINUE",
)
MIX_HEAD = 3


def mix_rules(n):
    blocklist = [f"198.18.{i >> 8}.{i & 255}" for i in range(1000)]
    text = CHAIN
    text += "  set blocklist (ip4.saddr) in {\n" + "".join(
        f"    {a}\n" for a in blocklist) + "  }\n"
    text += "  set services (tcp.dport) in { 80; 443; 8080; 8443 }\n"
    text += "  set admins (ip4.snet) in { 10.250.0.0/16; 192.168.0.0/16 }\n"
    head = ["(ip4.saddr) in blocklist counter DROP",
            "(ip4.snet) in admins tcp.dport eq 22 counter ACCEPT",
            "ip4.proto eq tcp tcp.flags any syn counter CONTINUE"]
    for i in range(n):
        if i < MIX_HEAD:
            body = head[i]
        else:
            body = f"ip4.saddr eq {addr(i)} " + MIX_TEMPLATES[i % len(MIX_TEMPLATES)]
        text += f"  rule {body}\n"

    def target(i, step):
        if i == 0:
            return Target(0, saddr=blocklist[0], daddr="10.255.0.2", dport=443)
        i = max(i, MIX_HEAD)
        # CONTINUE rules do not decide: aim at the nearest rule that does.
        while "CONTINUE" in MIX_TEMPLATES[i % len(MIX_TEMPLATES)]:
            i += step
        return Target(i, saddr=addr(i), daddr="10.255.0.2", dport=443)
    return text, {"first": target(0, 1), "middle": target(n // 2, 1),
                  "last": target(n - 1, -1), "none": Target(None, dport=443)}


RANGE_SPORTS = 19000  # source port ranges per destination port range


def range_rules(n):
    """`tcp.sport range S-S+1 tcp.dport range D-D+1`, disjoint pairs: no
    table takes ranges, so every rule is compiled to compares and tested in
    order (the cost of rules classification cannot help). Source ports stay
    below the 40,000 the `none` packet uses."""
    def ports(i):
        return 1024 + 2 * (i % RANGE_SPORTS), 1 + 2 * (i // RANGE_SPORTS)
    text = CHAIN
    for i in range(n):
        s, d = ports(i)
        text += (f"  rule tcp.sport range {s}-{s + 1} tcp.dport range "
                 f"{d}-{d + 1} counter DROP\n")
    return text, spread(n, lambda i: Target(i, sport=ports(i)[0], dport=ports(i)[1]))


GENERATORS = {"saddr": saddr_rules, "snet": snet_rules, "dport": dport_rules,
              "tuple": tuple_rules, "mix": mix_rules,
              "ranges": range_rules}
TITLES = {"saddr": "ip4.saddr eq", "snet": "ip4.snet eq /8../32",
          "dport": "tcp.dport eq", "tuple": "4-field tuple", "mix": "mix",
          "ranges": "2 port ranges"}
