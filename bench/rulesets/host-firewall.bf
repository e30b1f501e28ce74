# A realistic host firewall of 30 rules (XDP, so that BPF_PROG_TEST_RUN
# measures the program itself): blocklist and admin sets, services, ICMP,
# logging with rate limits. The benchmark packet matches none of it.
chain fw BF_HOOK_XDP{ifindex=1} DROP
  set admins (ip4.snet) in { 10.20.0.0/16; 192.0.2.0/24 }
  set blocklist (ip4.saddr) in { 198.51.100.7; 198.51.100.23; 203.0.113.99 }
  set services (tcp.dport) in { 80; 443; 8080; 8443 }
  rule meta.l3_proto not ipv4 meta.l3_proto not ipv6 counter ACCEPT
  rule (ip4.saddr) in blocklist log internet every 1s counter DROP
  rule ip4.snet eq 127.0.0.0/8 counter DROP
  rule ip6.saddr eq ::1 counter DROP
  rule (ip4.snet) in admins tcp.dport eq 22 counter ACCEPT
  rule tcp.dport eq 22 log every 500ms counter DROP
  rule (tcp.dport) in services counter ACCEPT
  rule udp.dport eq 443 counter ACCEPT
  rule udp.sport eq 53 counter ACCEPT
  rule udp.sport eq 123 udp.dport eq 123 counter ACCEPT
  rule tcp.dport range 32768-60999 tcp.flags not syn counter ACCEPT
  rule tcp.flags all syn,fin counter DROP
  rule tcp.flags eq fin,psh,urg counter DROP
  rule icmp.type eq echo-request meta.probability eq 50% counter ACCEPT
  rule icmp.type eq echo-reply counter ACCEPT
  rule icmp.type eq destination-unreachable counter ACCEPT
  rule icmp.type eq time-exceeded counter ACCEPT
  rule icmpv6.type eq echo-request counter ACCEPT
  rule icmpv6.type eq echo-reply counter ACCEPT
  rule icmpv6.type eq packet-too-big counter ACCEPT
  rule icmpv6.type eq nd-neighbor-solicit counter ACCEPT
  rule icmpv6.type eq nd-neighbor-advert counter ACCEPT
  rule icmpv6.type eq nd-router-advert counter ACCEPT
  rule ip6.nexthdr eq frag counter DROP
  rule ip4.proto eq 47 ip4.snet eq 10.0.0.0/8 counter ACCEPT
  rule ip4.dscp eq ef udp.dport range 16384-32767 counter ACCEPT
  rule meta.l4_proto eq udp ip4.daddr eq 10.0.0.1 counter NEXT
  rule (ip6.snet) in { 2001:db8::/32; fe80::/10 } tcp.dport eq 5432 counter ACCEPT
  rule meta.flow_probability eq 1% log counter CONTINUE
  rule meta.sport range 1-1023 meta.dport range 1-1023 counter DROP
