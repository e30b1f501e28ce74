#!/usr/bin/env python3
"""Equivalence of `bfc import` with real iptables, for one dump.

The dump is already loaded with iptables-restore (or ip6tables-restore) in
two namespaces made by test_import_equivalence.sh:
  IN   interfaces eth0..eth2 (veths from CLI), every address local (AnyIP):
       a packet sent to eth0 is accepted by INPUT when a raw socket of IN
       receives it (raw sockets get packets after the INPUT hook).
  FWD  interfaces eth0..eth2 (veths from CLI), forwarding to the veth
       `fwdout`: a packet is accepted by FORWARD when a packet socket on
       fwdout sees it leave. OUTPUT verdicts are synchronous: a raw
       IP_HDRINCL send that OUTPUT drops fails with EPERM.
  CLI  sends Ethernet frames on c0..c2 (peers of IN) and f0..f2 (of FWD).
Each packet carries a 4-byte tag (its index) as payload, so received
packets map back to the packets sent.

The same packets then run through the imported ruleset with bfc-run. Its
netfilter test runs have no input device and no mark, so the imported
chains are compiled on TC hooks for that (tc ingress for INPUT and
FORWARD, whose meta.iface is the input device, tc egress for OUTPUT, the
output device); the rules are the imported ones, unchanged. bfc-run
--compare also checks the kernel against bfc's interpreter.

Prints every difference; exits 1 when there is one.
"""
import argparse
import ctypes
import errno
import ipaddress
import os
import random
import re
import select
import socket
import struct
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
IFINDEX = {"lo": 1, "eth0": 2, "eth1": 3, "eth2": 4}  # bfc-run --iface
MAC_OF = {  # set by the shell script
    "IN": {"eth0": "02:00:00:00:01:00", "eth1": "02:00:00:00:01:01",
           "eth2": "02:00:00:00:01:02"},
    "FWD": {"eth0": "02:00:00:00:02:00", "eth1": "02:00:00:00:02:01",
            "eth2": "02:00:00:00:02:02"},
}
CLI_PEER = {"IN": "c", "FWD": "f"}  # c0 is eth0 of IN's peer, ...
TCP_FLAGS = [0x02, 0x12, 0x10, 0x11, 0x04, 0x00, 0x03, 0x18, 0x29, 0x01,
             0x14, 0x3F, 0x06, 0x22]

libc = ctypes.CDLL(None, use_errno=True)


def enter(ns):
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {ns}")
    finally:
        os.close(fd)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class Candidates:
    """Values worth testing, read from the dump: both sides of every
    prefix, port and range edge, the dump's ICMP types, marks."""

    def __init__(self, text, v6):
        self.v6 = v6
        net = ipaddress.IPv6Network if v6 else ipaddress.IPv4Network
        self.addresses = set()
        for m in re.finditer(r"(?:-s|-d|--source|--destination)\s+(\S+)", text):
            try:
                n = net(m.group(1), strict=False)
            except ValueError:
                continue
            first, last = int(n.network_address), int(n.broadcast_address)
            for a in (first - 1, first, first + 1, last - 1, last, last + 1):
                self.add_address(a)
        for extra in (["2001:db8:ffff::1", "2a00:1450::5", "2001:db8::1"] if v6
                      else ["192.0.2.77", "198.51.100.3", "203.0.113.9"]):
            self.add_address(int(ipaddress.ip_address(extra)))
        self.addresses = sorted(self.addresses)
        ports = {0, 1, 1023, 1024, 12345, 40000, 65535}
        for m in re.finditer(r"--(?:sport|dport|sports|dports|ports|source-port|"
                             r"destination-port)\s+(\S+)", text):
            for p in re.findall(r"\d+", m.group(1)):
                for q in (int(p) - 1, int(p), int(p) + 1):
                    if 0 <= q <= 65535:
                        ports.add(q)
        self.ports = sorted(ports)
        types = {0, 3, 8, 11} if not v6 else {1, 3, 128, 129, 135}
        for m in re.finditer(r"--icmpv?6?-type\s+(\d+)", text):
            types.add(int(m.group(1)))
        self.icmp_types = sorted(types)
        marks = {0}
        for m in re.finditer(r"--mark\s+(0x[0-9a-fA-F]+|\d+)", text):
            v = int(m.group(1), 0)
            marks.update({v, v + 1})
        self.marks = sorted(marks)

    def add_address(self, value):
        try:
            a = ipaddress.ip_address(value) if not self.v6 else \
                ipaddress.IPv6Address(value)
        except ValueError:
            return
        if self.v6:
            ok = a.is_global or a in ipaddress.ip_network("2001:db8::/32") or \
                a in ipaddress.ip_network("fd00::/8")
        else:
            first = int(a) >> 24
            ok = 1 <= first <= 223 and first != 127
        if ok:
            self.addresses.add(a)


def generate(cands, chain, count, seed):
    rng = random.Random(f"{seed}-{chain}")
    ifaces = ["eth0", "eth1", "eth2"] if chain != "OUTPUT" else ["eth0", "eth1"]
    packets = []
    for i in range(count):
        p = {"chain": chain, "iface": rng.choice(ifaces), "tag": i,
             "mark": rng.choice(cands.marks) if chain == "OUTPUT" else 0,
             "src": rng.choice(cands.addresses),
             "dst": rng.choice(cands.addresses),
             "l4": rng.choices(["tcp", "udp", "icmp", "gre"],
                               [40, 30, 20, 10])[0],
             "sport": rng.choice(cands.ports), "dport": rng.choice(cands.ports),
             "flags": rng.choice(TCP_FLAGS),
             "type": rng.choice(cands.icmp_types),
             "code": rng.choice([0, 0, 1, 3, 4])}
        packets.append(p)
    return packets


def l4_bytes(p, v6):
    tag = struct.pack("!I", p["tag"])
    if p["l4"] == "tcp":
        return 6, struct.pack("!HHIIBBHHH", p["sport"], p["dport"], 1, 0,
                              5 << 4, p["flags"], 512, 0, 0) + tag
    if p["l4"] == "udp":
        return 17, struct.pack("!HHHH", p["sport"], p["dport"], 12, 0) + tag
    if p["l4"] == "icmp":
        proto = 58 if v6 else 1
        body = struct.pack("!BBHHH", p["type"], p["code"], 0, 7, 1) + tag
        # Raw ICMPv6 sockets check the checksum (over a pseudo-header).
        covered = (p["src"].packed + p["dst"].packed +
                   struct.pack("!IxxxB", len(body), 58) if v6 else b"") + body
        body = body[:2] + struct.pack("!H", checksum(covered)) + body[4:]
        return proto, body
    return 47, struct.pack("!HH", 0, 0x0800) + tag


def l3_bytes(p, v6):
    proto, payload = l4_bytes(p, v6)
    if v6:
        return struct.pack("!IHBB", 6 << 28, len(payload), proto, 64) + \
            p["src"].packed + p["dst"].packed + payload
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload),
                         p["tag"] & 0xFFFF, 0, 64, proto, 0, p["src"].packed,
                         p["dst"].packed)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def spec(p, v6):
    meta = f"meta(ifindex={IFINDEX[p['iface']]}" + \
        (f",mark={p['mark']})" if p["mark"] else ")")
    l3 = (f"ip6(src={p['src']},dst={p['dst']}" if v6 else
          f"ip4(src={p['src']},dst={p['dst']}")
    tag = f"payload(hex={p['tag']:08x})"
    if p["l4"] == "tcp":
        l4 = f"tcp(sport={p['sport']},dport={p['dport']},flags={p['flags']})"
    elif p["l4"] == "udp":
        l4 = f"udp(sport={p['sport']},dport={p['dport']})"
    elif p["l4"] == "icmp":
        l4 = f"{'icmpv6' if v6 else 'icmp'}(type={p['type']},code={p['code']})"
    else:
        return f"{meta}/eth/{l3},{'nh' if v6 else 'proto'}=47)/" \
            f"payload(hex=00000800{p['tag']:08x})"
    return f"{meta}/eth/{l3})/{l4}/{tag}"


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def real_verdicts(ns, chain, packets, v6):
    """The verdict of the loaded iptables ruleset for each packet."""
    if chain == "OUTPUT":
        return output_verdicts(ns["FWD"], packets, v6)
    target = "IN" if chain == "INPUT" else "FWD"
    enter(ns[target])
    receivers = []
    if chain == "INPUT":
        for proto in ([6, 17, 58, 47] if v6 else [6, 17, 1, 47]):
            s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET,
                              socket.SOCK_RAW, proto)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
            receivers.append(s)
    else:
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(0x0003))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.bind(("fwdout", 0))
        receivers.append(s)
    enter(ns["CLI"])
    senders = {}
    for i, name in enumerate(["eth0", "eth1", "eth2"]):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        s.bind((f"{CLI_PEER[target]}{i}", 0))
        senders[name] = s
    ethertype = b"\x86\xdd" if v6 else b"\x08\x00"
    for n, p in enumerate(packets):
        frame = mac_bytes(MAC_OF[target][p["iface"]]) + \
            mac_bytes("02:00:00:00:00:aa") + ethertype + l3_bytes(p, v6)
        senders[p["iface"]].send(frame)
        if n % 20 == 19:
            time.sleep(0.002)
    accepted = set()
    deadline = time.time() + 1.0
    while time.time() < deadline:
        ready, _, _ = select.select(receivers, [], [], 0.2)
        for s in ready:
            data = s.recv(65535)
            if len(data) >= 4:
                accepted.add(struct.unpack("!I", data[-4:])[0])
    for s in receivers + list(senders.values()):
        s.close()
    return ["ACCEPT" if p["tag"] in accepted else "DROP" for p in packets]


def output_verdicts(fwd, packets, v6):
    enter(fwd)
    verdicts = []
    for p in packets:
        if v6:
            s = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                              socket.IPPROTO_RAW)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                              socket.IPPROTO_RAW)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                     p["iface"].encode())
        s.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, p["mark"])
        try:
            s.sendto(l3_bytes(p, v6), (str(p["dst"]), 0))
            verdicts.append("ACCEPT")
        except PermissionError:
            verdicts.append("DROP")
        finally:
            s.close()
    return verdicts


def bfc_verdicts(args, chain, packets, v6, work):
    """The verdicts of the imported ruleset's chain, through bfc-run."""
    hook = {"INPUT": "BF_HOOK_NF_LOCAL_IN", "FORWARD": "BF_HOOK_NF_FORWARD",
            "OUTPUT": "BF_HOOK_NF_LOCAL_OUT"}[chain]
    tc = "BF_HOOK_TC_EGRESS" if chain == "OUTPUT" else "BF_HOOK_TC_INGRESS"
    name = chain + ("6" if v6 else "")
    with open(args.imported) as f:
        source = f.read()
    retargeted = source.replace(f"{hook}{{priorities=100-101}}", tc)
    bf = os.path.join(work, f"{name}.tc.bf")
    with open(bf, "w") as f:
        f.write(retargeted)
    specs = os.path.join(work, f"{name}.packets")
    with open(specs, "w") as f:
        for p in packets:
            f.write(spec(p, v6) + "\n")
    cmd = [args.bfc_run, "--compare", "-c", name, "-f", specs, bf]
    for iface, index in IFINDEX.items():
        cmd += ["--iface", f"{iface}={index}"]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"bfc-run failed ({run.returncode}): {run.stderr}\n"
                 f"{run.stdout[-2000:]}")
    verdicts = {}
    for line in run.stdout.splitlines():
        m = re.match(r"\[(\d+)\] .*: (ACCEPT|DROP) by ", line)
        if m:
            verdicts[int(m.group(1))] = m.group(2)
    if len(verdicts) != len(packets):
        sys.exit(f"bfc-run printed {len(verdicts)} verdicts for "
                 f"{len(packets)} packets:\n{run.stdout[-2000:]}")
    return [verdicts[i] for i in range(len(packets))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    ap.add_argument("--imported", required=True, help="bfc import's output")
    ap.add_argument("--bfc-run", required=True)
    ap.add_argument("--ns-in", required=True)
    ap.add_argument("--ns-fwd", required=True)
    ap.add_argument("--ns-cli", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--ipv6", action="store_true")
    ap.add_argument("--packets", type=int, default=1000)
    args = ap.parse_args()
    ns = {"IN": args.ns_in, "FWD": args.ns_fwd, "CLI": args.ns_cli}
    with open(args.dump) as f:
        text = f.read()
    cands = Candidates(text, args.ipv6)
    differences = 0
    for chain in ("INPUT", "FORWARD", "OUTPUT"):
        packets = generate(cands, chain, args.packets, os.path.basename(args.dump))
        real = real_verdicts(ns, chain, packets, args.ipv6)
        imported = bfc_verdicts(args, chain, packets, args.ipv6, args.work)
        diff = [i for i in range(len(packets)) if real[i] != imported[i]]
        accepted = real.count("ACCEPT")
        print(f"{os.path.basename(args.dump)} {chain}: {len(packets)} packets, "
              f"{accepted} accepted, {len(packets) - accepted} dropped by "
              f"iptables; {len(diff)} differences")
        for i in diff[:20]:
            print(f"  [{i}] iptables {real[i]}, bfc {imported[i]}: "
                  f"{spec(packets[i], args.ipv6)}")
        differences += len(diff)
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
