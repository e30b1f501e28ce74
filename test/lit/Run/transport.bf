# TCP, UDP, ICMP and ICMPv6 matchers, ports of either (meta.sport/dport),
# ranges and flags, on every packet hook family.
# REQUIRES: root
# RUN: bash %S/Inputs/each-hook.sh %s %S/Inputs/packets.txt %t \
# RUN:   XDP TC_INGRESS NF_PRE_ROUTING NF_FORWARD CGROUP_SKB_INGRESS | FileCheck %s
chain c HOOK DROP
  rule tcp.flags eq syn counter CONTINUE
  rule tcp.flags any fin,rst counter ACCEPT
  rule tcp.flags all syn,ack tcp.dport range 20-30 counter NEXT
  rule tcp.dport not 22 tcp.sport range 1-1000 counter CONTINUE
  rule udp.sport eq 53 udp.dport not 53 counter ACCEPT
  rule udp.dport range 50-60 counter NEXT
  rule meta.sport range 5-10 counter ACCEPT
  rule meta.dport eq 22 counter ACCEPT
  rule icmp.type eq echo-request counter ACCEPT
  rule icmp.code eq 1 icmp.type eq destination-unreachable counter NEXT
  rule icmpv6.type eq echo-request counter ACCEPT
  rule icmpv6.code not 0 counter NEXT

# CHECK-LABEL: == XDP
# CHECK: eth/ip4(src=10.0.0.1,dst=10.1.2.3)/tcp(sport=1000,dport=22,flags=syn): ACCEPT by rule 7
# CHECK: eth/ip4(src=10.0.0.9,dst=192.168.7.1,dscp=ef)/tcp(dport=25,flags=syn|ack): NEXT by rule 2
# CHECK: eth/ip4(src=10.0.0.1,dst=192.168.7.1)/udp(sport=53,dport=53): NEXT by rule 5
# A later fragment has no UDP header: the policy decides.
# CHECK: eth/ip4(src=192.168.1.7,frag=3)/udp(dport=53): DROP by policy
# CHECK: eth/ip4(ihl=7,dscp=cs1)/tcp(dport=443,flags=fin|psh|ack): ACCEPT by rule 1
# CHECK: eth/ip4/icmp(type=echo-request,code=0): ACCEPT by rule 8
# CHECK: eth/ip4/icmp(type=3,code=1): NEXT by rule 9
# CHECK: eth/ip6(src=2001:db9::1,dscp=cs1)/hop/udp(sport=53,dport=5353): ACCEPT by rule 4
# CHECK: eth/ip6/frag(offset=0)/udp(sport=9): ACCEPT by rule 6
# CHECK: eth/ip6/ah/icmpv6(type=echo-request): ACCEPT by rule 10
# CHECK: eth/ip6/icmpv6(type=1,code=4): NEXT by rule 11
# CHECK: 23 packets compared, 0 skipped, 0 differences
# CHECK-LABEL: == TC_INGRESS
# CHECK: 23 packets compared, 0 skipped, 0 differences
# CHECK-LABEL: == NF_PRE_ROUTING
# CHECK: 21 packets compared, 2 skipped, 0 differences
# CHECK-LABEL: == NF_FORWARD
# CHECK: 21 packets compared, 2 skipped, 0 differences
# CHECK-LABEL: == CGROUP_SKB_INGRESS
# CHECK: 23 packets compared, 0 skipped, 0 differences
