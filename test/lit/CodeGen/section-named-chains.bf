# Chains may be named like the section their program lives in (bpfilter's own
# example rulesets name their XDP chain `xdp`): the program symbol must not
# clash with the section symbol.
# RUN: %bfc -w %s -o %t.o
# RUN: llvm-readelf --syms %t.o | FileCheck %s
# CHECK-DAG: FUNC GLOBAL DEFAULT {{[0-9]+}} bfc_xdp
# CHECK-DAG: FUNC GLOBAL DEFAULT {{[0-9]+}} bfc_tc
# CHECK-DAG: FUNC GLOBAL DEFAULT {{[0-9]+}} bfc_netfilter
# REQUIRES: root
# RUN: bfc-run --load-only %t.o

chain xdp BF_HOOK_XDP ACCEPT
    rule tcp.dport eq 22 counter DROP
chain tc BF_HOOK_TC_INGRESS ACCEPT
    rule udp.dport eq 53 counter DROP
chain netfilter BF_HOOK_NF_LOCAL_IN ACCEPT
    rule ip4.saddr eq 192.0.2.1 counter DROP
