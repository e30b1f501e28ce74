# IPv4 matchers on every packet hook family, kernel against interpreter.
# REQUIRES: root
# RUN: bash %S/Inputs/each-hook.sh %s %S/Inputs/packets.txt %t \
# RUN:   XDP TC_INGRESS NF_LOCAL_IN NF_POST_ROUTING CGROUP_SKB_INGRESS | FileCheck %s
chain c HOOK ACCEPT
  rule ip4.saddr eq 10.0.0.9 counter DROP
  rule ip4.dnet eq 192.168.0.0/16 ip4.proto eq udp counter NEXT
  rule ip4.snet not 10.0.0.0/8 ip4.proto not tcp counter DROP
  rule ip4.dscp eq cs1 counter ACCEPT
  rule ip4.daddr not 10.1.2.3 ip4.proto eq tcp counter CONTINUE
  rule ip4.proto eq 47 counter DROP

# The same decisions on every hook, with each hook's return codes
# (netfilter skips the frames it cannot test-run: VLAN, ARP).
# CHECK-LABEL: == XDP
# CHECK: eth/ip4(src=10.0.0.9,dst=192.168.7.1,dscp=ef)/tcp(dport=25,flags=syn|ack): DROP by rule 0, XDP_DROP (1)
# CHECK: eth/ip4(src=10.0.0.1,dst=192.168.7.1)/udp(sport=53,dport=53): NEXT by rule 1, XDP_PASS (2)
# CHECK: eth/ip4(src=192.168.1.7,frag=3)/udp(dport=53): DROP by rule 2, XDP_DROP (1)
# CHECK: eth/ip4(ihl=7,dscp=cs1)/tcp(dport=443,flags=fin|psh|ack): ACCEPT by rule 3, XDP_PASS (2)
# CHECK: eth/ip4(proto=47)/raw(hex=00000800): DROP by rule 5, XDP_DROP (1)
# CHECK: eth/ip6(src=2001:db8::1,dst=2001:db8:1::2)/tcp(sport=7,dport=22): ACCEPT by policy, XDP_PASS (2)
# CHECK: rule 4: 2 packets, 94 bytes
# CHECK: errors: 4 packets
# CHECK: 23 packets compared, 0 skipped, 0 differences
# CHECK-LABEL: == TC_INGRESS
# CHECK: DROP by rule 0, TCX_DROP (2)
# CHECK: NEXT by rule 1, TCX_NEXT (-1)
# CHECK: 23 packets compared, 0 skipped, 0 differences
# CHECK-LABEL: == NF_LOCAL_IN
# CHECK: DROP by rule 0, NF_DROP (0)
# CHECK: NEXT by rule 1, NF_ACCEPT (1)
# CHECK: eth/vlan/ip4/tcp(dport=22): skipped: netfilter test runs need
# CHECK: rule 4: 2 packets, 66 bytes
# CHECK: 21 packets compared, 2 skipped, 0 differences
# CHECK-LABEL: == NF_POST_ROUTING
# CHECK: 21 packets compared, 2 skipped, 0 differences
# CHECK-LABEL: == CGROUP_SKB_INGRESS
# CHECK: DROP by rule 0, deny (0)
# CHECK: NEXT by rule 1, allow (1)
# CHECK: 23 packets compared, 0 skipped, 0 differences
