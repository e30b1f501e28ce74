# A host firewall for a server's public interface, filtering on TC ingress.
#
# Compile it in CI:      bfc host-firewall.bf -o host-firewall.bpf.o
# Load it on the host:   bfload chain set host-firewall.bpf.o --option ifindex=2
#
# The interface is given at load time (--option ifindex=N overrides the
# default below), so the same object serves every host.

chain host_ingress BF_HOOK_TC_INGRESS{ifindex=1} DROP
    # Networks allowed to administer the host.
    set admins (ip4.snet) in {
        10.20.0.0/16
        192.0.2.0/24
    }
    # Addresses that abused the service; bfload chain update-set edits it live.
    set blocklist (ip4.saddr) in {
        198.51.100.7
        198.51.100.23
        203.0.113.99
    }

    # Non-IP traffic (ARP, ...) is needed for the link to work at all.
    rule meta.l3_proto not ipv4 meta.l3_proto not ipv6 counter ACCEPT

    # Known bad sources first, and log them (at most one event per second).
    rule (ip4.saddr) in blocklist log internet,transport every 1s counter DROP

    # SSH only from the admin networks.
    rule (ip4.snet) in admins tcp.dport eq 22 counter ACCEPT
    rule ip6.nexthdr eq tcp tcp.dport eq 22 ip6.snet eq fd00:10::/32 counter ACCEPT
    rule tcp.dport eq 22 log every 500ms counter DROP

    # Public services.
    rule (tcp.dport) in { 80; 443 } counter ACCEPT
    rule udp.dport eq 443 counter ACCEPT          # HTTP/3
    rule udp.sport eq 53 counter ACCEPT           # DNS answers
    rule udp.sport eq 123 udp.dport eq 123 counter ACCEPT
    rule tcp.dport range 32768-60999 tcp.flags not syn counter ACCEPT

    # ICMP: echo and the errors path MTU discovery needs.
    rule icmp.type eq echo-request counter ACCEPT
    rule icmp.type eq echo-reply counter ACCEPT
    rule icmp.type eq destination-unreachable counter ACCEPT
    rule icmp.type eq time-exceeded counter ACCEPT
    rule icmpv6.type eq echo-request counter ACCEPT
    rule icmpv6.type eq echo-reply counter ACCEPT
    rule icmpv6.type eq packet-too-big counter ACCEPT
    rule icmpv6.type eq nd-neighbor-solicit counter ACCEPT
    rule icmpv6.type eq nd-neighbor-advert counter ACCEPT
    rule icmpv6.type eq nd-router-advert counter ACCEPT

    # IPv6 sources from the documentation prefix are never legitimate here.
    rule ip6.snet eq 2001:db8::/32 counter DROP

    # Mark web traffic from partners for a later qdisc.
    rule ip4.snet eq 100.64.0.0/10 tcp.dport eq 8443 mark 0x10 counter ACCEPT

    # Everything else is dropped by the policy (its counter is in `chain get`).
