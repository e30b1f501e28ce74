# equalities-to-sets and prune-sets: runs of `FIELD eq V` rules with one
# verdict and nothing per rule become one lookup in an anonymous set on the
# first rule of the run; the other rules stay as never-matching placeholders.
# RUN: %bfc --emit=bfir -O2 %s | FileCheck %s

chain c BF_HOOK_XDP DROP
    set admins (ip4.saddr) in { 192.168.0.10 }
    rule (ip4.saddr) in admins ACCEPT
    rule tcp.dport eq 22 ACCEPT
    rule tcp.dport eq 80 ACCEPT
    rule (tcp.dport) in { 443; 8443 } ACCEPT
    rule tcp.dport eq 8080 ACCEPT
    rule tcp.dport eq 9000 counter ACCEPT
    rule ip4.dnet eq 10.0.0.0/8 DROP
    rule ip4.daddr eq 192.168.1.1 DROP
    rule ip4.dnet eq 172.16.0.0/12 DROP
    rule ip4.daddr eq 192.168.1.2 DROP
# The named set stays (the loader can update it); the inline one was merged
# into a new set and is gone.
# CHECK:      set 0 admins (ip4.saddr) exact
# CHECK-NEXT:   192.168.0.10
# CHECK-NEXT: set 1 [[PORTS:__anon[0-9]+]] anonymous (tcp.dport) exact
# CHECK-NEXT:   22
# CHECK-NEXT:   80
# CHECK-NEXT:   443
# CHECK-NEXT:   8443
# CHECK-NEXT:   8080
# CHECK-NEXT: set 2 [[NETS:__anon[0-9]+]] anonymous (ip4.daddr) lpm
# CHECK-NEXT:   10.0.0.0/8
# CHECK-NEXT:   192.168.1.1/32
# CHECK-NEXT:   172.16.0.0/12
# CHECK-NEXT:   192.168.1.2/32
# CHECK-NEXT: rule 0
# CHECK-NEXT:   (ip4.saddr) in set 0 admins
# CHECK:      rule 1 @9:5 "rule tcp.dport eq 22 ACCEPT"
# CHECK-NEXT:   (tcp.dport) in set 1 [[PORTS]]
# CHECK-NEXT:   verdict ACCEPT
# CHECK-NEXT: rule 2 @10:5
# CHECK-NEXT:   never
# CHECK:      rule 3 @11:5
# CHECK-NEXT:   never
# CHECK:      rule 4 @12:5
# CHECK-NEXT:   never
# The counter keeps rule 5 out of the run.
# CHECK:      rule 5 @13:5
# CHECK-NEXT:   tcp.dport [tcp+2:2] eq 9000
# CHECK-NEXT:   counter
# CHECK:      rule 6 @14:5
# CHECK-NEXT:   (ip4.daddr) in set 2 [[NETS]]
# CHECK-NEXT:   verdict DROP
# CHECK-NEXT: rule 7
# CHECK-NEXT:   never
