# meta.* matchers: protocols, interfaces (by name through a host slot, and
# by index), marks, probabilities and flow probabilities.
# REQUIRES: root
# Test runs see loopback (1) as the device, and netfilter ones no input
# device; only skb hooks take a mark in; netfilter has no flow probability.
# RUN: env BFC_RUN_ARGS="--iface lo=1" bash %S/Inputs/each-hook.sh %s \
# RUN:   %S/Inputs/packets.txt %t TC_INGRESS CGROUP_SKB_EGRESS | FileCheck %s
# RUN: sed -e /flow_probability/d %s > %t.noflow.bf
# RUN: env BFC_RUN_ARGS="--iface lo=1" bash %S/Inputs/each-hook.sh %t.noflow.bf \
# RUN:   %S/Inputs/packets.txt %t NF_LOCAL_IN NF_LOCAL_OUT | FileCheck %s --check-prefix=NF
chain c HOOK ACCEPT
  rule meta.mark eq 7 counter DROP
  rule meta.l3_proto eq 0x0806 counter DROP
  rule meta.l3_proto eq ipv6 meta.l4_proto eq icmpv6 counter DROP
  rule meta.iface eq lo meta.dport eq 25 counter DROP
  rule meta.iface eq 1 meta.sport eq 53 counter NEXT
  rule meta.iface not 1 meta.l4_proto eq tcp counter NEXT
  rule meta.probability eq 100% meta.dport eq 443 counter DROP
  rule meta.probability eq 0% counter DROP
  rule meta.flow_probability eq 100% meta.dport eq 80 counter DROP
  rule meta.flow_probability eq 0% counter DROP

# CHECK-LABEL: == TC_INGRESS
# CHECK: eth/ip4(src=10.0.0.9,dst=192.168.7.1,dscp=ef)/tcp(dport=25,flags=syn|ack): DROP by rule 3, TCX_DROP (2)
# CHECK: eth/ip4(src=10.0.0.1,dst=192.168.7.1)/udp(sport=53,dport=53): NEXT by rule 4, TCX_NEXT (-1)
# CHECK: eth/ip4(ihl=7,dscp=cs1)/tcp(dport=443,flags=fin|psh|ack): DROP by rule 6
# CHECK: eth/ip6/route/dst/tcp(dport=80,flags=rst): DROP by rule 8
# CHECK: eth/ip6/ah/icmpv6(type=echo-request): DROP by rule 2
# CHECK: eth(type=0x0806)/raw(hex=0001080006040001): DROP by rule 1
# CHECK: meta(mark=7)/eth/ip4(src=10.0.0.1)/tcp(dport=1000): DROP by rule 0
# CHECK: rule 7: 0 packets
# CHECK: rule 9: 0 packets
# CHECK: 23 packets compared, 0 skipped, 0 differences
# CHECK-LABEL: == CGROUP_SKB_EGRESS
# CHECK: meta(mark=7)/eth/ip4(src=10.0.0.1)/tcp(dport=1000): DROP by rule 0, deny (0)
# CHECK: 23 packets compared, 0 skipped, 0 differences

# Netfilter: no mark (meta(mark=7) is not seen), no input device on
# LOCAL_IN, loopback as the output device on LOCAL_OUT.
# NF-LABEL: == NF_LOCAL_IN
# NF: eth/ip4(src=10.0.0.1,dst=10.1.2.3)/tcp(sport=1000,dport=22,flags=syn): NEXT by rule 5, NF_ACCEPT (1)
# NF: meta(mark=7)/eth/ip4(src=10.0.0.1)/tcp(dport=1000): NEXT by rule 5
# NF: 21 packets compared, 2 skipped, 0 differences
# NF-LABEL: == NF_LOCAL_OUT
# NF: eth/ip4(src=10.0.0.9,dst=192.168.7.1,dscp=ef)/tcp(dport=25,flags=syn|ack): DROP by rule 3, NF_DROP (0)
# NF: 21 packets compared, 2 skipped, 0 differences
