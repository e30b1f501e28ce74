# IPv6 matchers and the extension-header walk on every packet hook family.
# REQUIRES: root
# RUN: bash %S/Inputs/each-hook.sh %s %S/Inputs/packets.txt %t \
# RUN:   XDP TC_EGRESS NF_LOCAL_OUT CGROUP_SKB_EGRESS | FileCheck %s
chain c HOOK ACCEPT
  rule ip6.saddr eq 2001:db8::1 counter CONTINUE
  rule ip6.snet eq 2001:db9::/32 ip6.dscp eq cs1 counter DROP
  rule ip6.dnet not 2001:db8:1::/48 ip6.nexthdr eq route counter DROP
  rule ip6.nexthdr eq ah counter DROP
  rule ip6.nexthdr eq udp meta.l4_proto eq udp counter CONTINUE
  rule ip6.nexthdr eq frag counter DROP
  rule ip6.nexthdr eq mh counter DROP
  rule ip6.daddr eq 2001:db8:1::2 meta.l4_proto not udp counter DROP
  rule meta.l3_proto eq ipv6 counter CONTINUE

# CHECK-LABEL: == XDP
# The source address rule matches and goes on; the destination rule decides.
# CHECK: eth/ip6(src=2001:db8::1,dst=2001:db8:1::2)/tcp(sport=7,dport=22): DROP by rule 7, XDP_DROP (1)
# CHECK: eth/ip6(src=2001:db9::1,dscp=cs1)/hop/udp(sport=53,dport=5353): DROP by rule 1
# Extension headers are walked: routing, AH, fragment, mobility.
# CHECK: eth/ip6/route/dst/tcp(dport=80,flags=rst): DROP by rule 2
# CHECK: eth/ip6/frag(offset=0)/udp(sport=9): DROP by rule 5
# CHECK: eth/ip6/frag(offset=10)/udp: DROP by rule 5
# CHECK: eth/ip6/ah/icmpv6(type=echo-request): DROP by rule 3
# CHECK: eth/ip6/mh/tcp(dport=22): DROP by rule 6
# Nine extension headers are one too many: malformed, no transport.
# CHECK: rule 0: 9 packets
# CHECK: errors: 4 packets
# CHECK: 23 packets compared, 0 skipped, 0 differences
# CHECK-LABEL: == TC_EGRESS
# CHECK: 23 packets compared, 0 skipped, 0 differences
# CHECK-LABEL: == NF_LOCAL_OUT
# CHECK: 21 packets compared, 2 skipped, 0 differences
# CHECK-LABEL: == CGROUP_SKB_EGRESS
# CHECK: 23 packets compared, 0 skipped, 0 differences
