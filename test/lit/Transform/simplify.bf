# simplify-predicates and dead-rules, seen on --emit=bfir -O2: implied
# predicates are dropped, rules that can never match keep their index,
# counter and verdict, and their predicates become one `never` line.
# RUN: %bfc --emit=bfir -O2 -w %s | FileCheck %s
# Without -O, --emit=bfir shows Sema's BFIR, unchanged.
# RUN: %bfc --emit=bfir -w %s | FileCheck %s --check-prefix=SEMA
# RUN: %bfc --emit=bfir -O0 -w %s | FileCheck %s --check-prefix=SEMA

chain c BF_HOOK_TC_INGRESS ACCEPT
rule meta.l3_proto eq ipv4 ip4.saddr not 10.0.0.1 counter DROP
# CHECK:      rule 0 @[[@LINE-1]]:1
# CHECK-NEXT:   ip4.saddr [ip4+12:4] not eq 10.0.0.1
# CHECK-NEXT:   counter
# SEMA:       rule 0 @[[@LINE-4]]:1
# SEMA-NEXT:    meta.l3_proto [meta] eq ipv4
# SEMA-NEXT:    ip4.saddr [ip4+12:4] not eq 10.0.0.1

rule meta.l4_proto eq tcp tcp.dport range 22-22 tcp.dport range 1-1023 ACCEPT
# CHECK:      rule 1 @[[@LINE-1]]:1
# CHECK-NEXT:   tcp.dport [tcp+2:2] eq 22
# CHECK-NEXT:   verdict ACCEPT

rule ip6.snet eq 2001:db8::/32 ip6.saddr eq 2001:db8::1 meta.l4_proto eq udp ip6.nexthdr eq udp DROP
# CHECK:      rule 2 @[[@LINE-1]]:1
# CHECK-NEXT:   meta.l4_proto [meta] eq udp
# CHECK-NEXT:   ip6.saddr [ip6+8:16] eq 2001:db8::1
# CHECK-NEXT:   verdict DROP

rule tcp.dport eq 80 udp.dport eq 53 counter log transport DROP
# CHECK:      rule 3 @[[@LINE-1]]:1
# CHECK-NEXT:   never
# CHECK-NEXT:   counter
# CHECK-NEXT:   log transport
# CHECK-NEXT:   verdict DROP

rule meta.probability eq 100% meta.mark eq 0x1 CONTINUE
# CHECK:      rule 4 @[[@LINE-1]]:1
# CHECK-NEXT:   never
# CHECK-NEXT:   verdict CONTINUE

rule meta.probability eq 100% meta.mark eq 0x1 mark 0x2 CONTINUE
# CHECK:      rule 5 @[[@LINE-1]]:1
# CHECK-NEXT:   meta.mark [meta] eq 0x1
# CHECK-NEXT:   mark 0x2
# CHECK-NEXT:   verdict CONTINUE
