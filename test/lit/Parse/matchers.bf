# Every matcher type with the payload shapes it takes, `not`, and the
# operators. Payloads stay raw text here: Sema gives them meaning.
# RUN: %bfc --emit=ast %s | FileCheck %s

chain c BF_HOOK_TC_INGRESS ACCEPT
    rule
        meta.iface eth0
        meta.iface eq 2
        meta.l3_proto ipv6
        meta.l4_proto not udp
        meta.sport 1024
        meta.dport range 1000-2000
        meta.probability 50%
        meta.flow_probability eq 12.5%
        meta.mark 0x10
        meta.flow_hash range 0x100-0x200
        ACCEPT
# CHECK:      Rule <[[@LINE-12]]:5>
# CHECK-NEXT:   Matcher <[[@LINE-12]]:9> type=meta.iface payload='eth0'
# CHECK-NEXT:   Matcher <[[@LINE-12]]:9> type=meta.iface op=eq payload='2'
# CHECK-NEXT:   Matcher <[[@LINE-12]]:9> type=meta.l3_proto payload='ipv6'
# CHECK-NEXT:   Matcher <[[@LINE-12]]:9> type=meta.l4_proto not payload='udp'
# CHECK-NEXT:   Matcher <[[@LINE-12]]:9> type=meta.sport payload='1024'
# CHECK-NEXT:   Matcher <[[@LINE-12]]:9> type=meta.dport op=range payload='1000-2000'
# CHECK-NEXT:   Matcher <[[@LINE-12]]:9> type=meta.probability payload='50%'
# CHECK-NEXT:   Matcher <[[@LINE-12]]:9> type=meta.flow_probability op=eq payload='12.5%'
# CHECK-NEXT:   Matcher <[[@LINE-12]]:9> type=meta.mark payload='0x10'
# CHECK-NEXT:   Matcher <[[@LINE-12]]:9> type=meta.flow_hash op=range payload='0x100-0x200'
# CHECK-NEXT:   Verdict <[[@LINE-12]]:9> ACCEPT

    rule
        ip4.saddr 192.168.1.1
        ip4.daddr not eq 10.0.0.1
        ip4.snet 10.0.0.0/8
        ip4.dnet not 172.16.0.0/12
        ip4.proto icmp
        ip4.dscp ef
        ip4.dscp eq 46
        DROP
# CHECK:      Rule <[[@LINE-9]]:5>
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip4.saddr payload='192.168.1.1'
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip4.daddr not op=eq payload='10.0.0.1'
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip4.snet payload='10.0.0.0/8'
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip4.dnet not payload='172.16.0.0/12'
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip4.proto payload='icmp'
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip4.dscp payload='ef'
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip4.dscp op=eq payload='46'
# CHECK-NEXT:   Verdict <[[@LINE-9]]:9> DROP

    rule
        ip6.saddr ::1
        ip6.daddr eq 2001:db8::8a2e:370:7334
        ip6.snet fe80::/10
        ip6.dnet ::/0
        ip6.saddr ::ffff:192.0.2.1
        ip6.nexthdr hop
        ip6.dscp af11
        DROP
# CHECK:      Rule <[[@LINE-9]]:5>
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip6.saddr payload='::1'
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip6.daddr op=eq payload='2001:db8::8a2e:370:7334'
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip6.snet payload='fe80::/10'
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip6.dnet payload='::/0'
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip6.saddr payload='::ffff:192.0.2.1'
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip6.nexthdr payload='hop'
# CHECK-NEXT:   Matcher <[[@LINE-9]]:9> type=ip6.dscp payload='af11'
# CHECK-NEXT:   Verdict <[[@LINE-9]]:9> DROP

    rule
        tcp.sport 22
        tcp.dport not range 10-20
        udp.sport eq 53
        udp.dport 0x35
        tcp.flags syn
        tcp.flags any syn,ack
        tcp.flags not all FIN,Rst
        icmp.type echo-request
        icmp.code 0
        icmpv6.type eq nd-neighbor-solicit
        icmpv6.code not 4
        CONTINUE
# CHECK:      Rule <[[@LINE-13]]:5>
# CHECK-NEXT:   Matcher <[[@LINE-13]]:9> type=tcp.sport payload='22'
# CHECK-NEXT:   Matcher <[[@LINE-13]]:9> type=tcp.dport not op=range payload='10-20'
# CHECK-NEXT:   Matcher <[[@LINE-13]]:9> type=udp.sport op=eq payload='53'
# CHECK-NEXT:   Matcher <[[@LINE-13]]:9> type=udp.dport payload='0x35'
# CHECK-NEXT:   Matcher <[[@LINE-13]]:9> type=tcp.flags payload='syn'
# CHECK-NEXT:   Matcher <[[@LINE-13]]:9> type=tcp.flags op=any payload='syn,ack'
# CHECK-NEXT:   Matcher <[[@LINE-13]]:9> type=tcp.flags not op=all payload='FIN,Rst'
# CHECK-NEXT:   Matcher <[[@LINE-13]]:9> type=icmp.type payload='echo-request'
# CHECK-NEXT:   Matcher <[[@LINE-13]]:9> type=icmp.code payload='0'
# CHECK-NEXT:   Matcher <[[@LINE-13]]:9> type=icmpv6.type op=eq payload='nd-neighbor-solicit'
# CHECK-NEXT:   Matcher <[[@LINE-13]]:9> type=icmpv6.code not payload='4'
# CHECK-NEXT:   Verdict <[[@LINE-13]]:9> CONTINUE

# Matchers may share a line; a payload may even look like a keyword prefix.
    rule ip4.proto tcp tcp.dport 80 meta.iface rule0 ACCEPT
# CHECK:      Rule <[[@LINE-1]]:5>
# CHECK-NEXT:   Matcher <[[@LINE-2]]:10> type=ip4.proto payload='tcp'
# CHECK-NEXT:   Matcher <[[@LINE-3]]:24> type=tcp.dport payload='80'
# CHECK-NEXT:   Matcher <[[@LINE-4]]:37> type=meta.iface payload='rule0'
# CHECK-NEXT:   Verdict <[[@LINE-5]]:54> ACCEPT

# An unknown matcher type or operator word is still a matcher for the parser;
# Sema reports it.
    rule foo.bar baz ACCEPT
# CHECK:      Matcher <[[@LINE-1]]:10> type=foo.bar payload='baz'

# A rule with no matcher at all.
    rule DROP
# CHECK:      Rule <[[@LINE-1]]:5>
# CHECK-NEXT:   Verdict <[[@LINE-2]]:10> DROP
