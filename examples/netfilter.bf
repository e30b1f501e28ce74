# A netfilter chain on the local input path, for IPv4 and IPv6 at once.
# Two priorities: bfload chain update swaps programs without a gap.

chain nf_input BF_HOOK_NF_LOCAL_IN{priorities=101-102} ACCEPT
    set trusted (ip6.snet) in {
        fd00:1::/48
        2001:db8:aa::/48
    }
    rule (ip6.snet) in trusted counter ACCEPT
    rule ip4.saddr eq 127.0.0.1 counter ACCEPT
    rule ip4.dnet eq 224.0.0.0/4 counter DROP
    rule meta.l4_proto eq udp meta.dport range 6000-6063 log transport counter DROP
    rule tcp.dport eq 25 counter DROP
    rule ip6.dscp eq cs1 counter CONTINUE
    rule ip4.dscp eq af41 counter ACCEPT

chain nf_output BF_HOOK_NF_LOCAL_OUT{priorities=201-202} ACCEPT
    rule ip4.daddr eq 192.0.2.1 counter DROP
    rule meta.mark eq 0x2a counter DROP
