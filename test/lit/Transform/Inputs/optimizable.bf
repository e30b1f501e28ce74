# A ruleset every optimising pass changes: implied predicates, rules that
# can never match, a shadowed rule, equality runs turned into exact and LPM
# sets, an effect-free CONTINUE rule.
chain c BF_HOOK_XDP ACCEPT
rule meta.l3_proto eq ipv4 ip4.saddr eq 10.0.0.1 tcp.dport eq 22 counter DROP
rule ip6.snet eq 2001:db8::/32 ip6.nexthdr eq tcp meta.l4_proto eq tcp counter DROP
rule tcp.dport range 1-100 tcp.dport eq 23 counter ACCEPT
rule ip4.saddr eq 10.0.0.1 tcp.dport eq 22 ip4.proto eq tcp counter DROP
rule tcp.dport eq 80 udp.dport eq 53 counter DROP
rule udp.dport eq 1 DROP
rule udp.dport eq 2 DROP
rule (udp.dport) in { 3; 4 } DROP
rule udp.dport eq 5 DROP
rule udp.dport eq 6 counter DROP
rule ip4.dnet eq 10.0.0.0/8 NEXT
rule ip4.daddr eq 192.168.1.1 NEXT
rule ip4.dnet eq 172.16.0.0/12 NEXT
rule ip4.daddr eq 192.168.1.2 NEXT
rule ip4.saddr eq 10.0.0.9 CONTINUE
rule meta.l4_proto eq udp log internet counter CONTINUE
rule udp.sport eq 7 counter DROP
