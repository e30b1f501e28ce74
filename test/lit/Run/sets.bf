# Sets: named and anonymous, several components, networks (LPM), `not in`;
# the elements come from the object's .bfc.sets section.
# REQUIRES: root
# RUN: bash %S/Inputs/each-hook.sh %s %S/Inputs/packets.txt %t \
# RUN:   XDP TC_INGRESS NF_LOCAL_IN CGROUP_SKB_INGRESS | FileCheck %s
chain c HOOK ACCEPT
  set pairs (ip4.saddr, tcp.dport) in { 10.0.0.1, 22; 10.0.0.9, 25 }
  set nets4 (ip4.dnet) in {
    192.168.0.0/16
    10.1.0.0/16
  }
  set nets6 (ip6.snet) in { 2001:db8::/32 }
  set empty (udp.dport) in { }
  rule (ip4.saddr, tcp.dport) in pairs counter CONTINUE
  rule (ip4.dnet) in nets4 ip4.proto eq udp counter DROP
  rule (ip6.snet) not in nets6 counter NEXT
  rule (udp.dport) in empty counter DROP
  rule (udp.dport) in { 53; 5353 } counter DROP
  rule (icmpv6.type, icmpv6.code) in { 1, 4; 128, 0 } counter DROP
  rule (ip4.saddr, tcp.dport) not in pairs counter DROP

# CHECK-LABEL: == XDP
# CHECK: eth/ip4(src=10.0.0.1,dst=10.1.2.3)/tcp(sport=1000,dport=22,flags=syn): ACCEPT by policy
# CHECK: eth/ip4(src=10.0.0.1,dst=192.168.7.1)/udp(sport=53,dport=53): DROP by rule 1
# CHECK: eth/ip4(ihl=7,dscp=cs1)/tcp(dport=443,flags=fin|psh|ack): DROP by rule 6
# CHECK: eth/ip6(src=2001:db9::1,dscp=cs1)/hop/udp(sport=53,dport=5353): NEXT by rule 2
# CHECK: eth/ip6/ah/icmpv6(type=echo-request): DROP by rule 5
# CHECK: rule 0: 2 packets
# CHECK: rule 3: 0 packets
# CHECK: 23 packets compared, 0 skipped, 0 differences
# CHECK-LABEL: == TC_INGRESS
# CHECK: 23 packets compared, 0 skipped, 0 differences
# CHECK-LABEL: == NF_LOCAL_IN
# CHECK: 21 packets compared, 2 skipped, 0 differences
# CHECK-LABEL: == CGROUP_SKB_INGRESS
# CHECK: 23 packets compared, 0 skipped, 0 differences
