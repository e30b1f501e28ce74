# Every hook spelling is accepted by the parser, with and without options;
# which hooks exist is decided by Sema, so unknown BF_HOOK_* names parse too.
# RUN: %bfc --emit=ast %s | FileCheck %s

chain xdp BF_HOOK_XDP ACCEPT
chain tc_in BF_HOOK_TC_INGRESS DROP
chain tc_out BF_HOOK_TC_EGRESS NEXT
chain nf_pre BF_HOOK_NF_PRE_ROUTING ACCEPT
chain nf_in BF_HOOK_NF_LOCAL_IN ACCEPT
chain nf_fwd BF_HOOK_NF_FORWARD ACCEPT
chain nf_out BF_HOOK_NF_LOCAL_OUT ACCEPT
chain nf_post BF_HOOK_NF_POST_ROUTING ACCEPT
chain skb_in BF_HOOK_CGROUP_SKB_INGRESS ACCEPT
chain skb_out BF_HOOK_CGROUP_SKB_EGRESS ACCEPT
chain c4 BF_HOOK_CGROUP_SOCK_ADDR_CONNECT4 ACCEPT
chain c6 BF_HOOK_CGROUP_SOCK_ADDR_CONNECT6 ACCEPT
chain s4 BF_HOOK_CGROUP_SOCK_ADDR_SENDMSG4 ACCEPT
chain s6 BF_HOOK_CGROUP_SOCK_ADDR_SENDMSG6 ACCEPT
chain future BF_HOOK_SOMETHING_NEW_2 DROP

# CHECK:      Ruleset
# CHECK-NEXT:   Chain <5:1> name='xdp' hook=BF_HOOK_XDP policy=ACCEPT
# CHECK-NEXT:   Chain <6:1> name='tc_in' hook=BF_HOOK_TC_INGRESS policy=DROP
# CHECK-NEXT:   Chain <7:1> name='tc_out' hook=BF_HOOK_TC_EGRESS policy=NEXT
# CHECK-NEXT:   Chain <8:1> name='nf_pre' hook=BF_HOOK_NF_PRE_ROUTING policy=ACCEPT
# CHECK-NEXT:   Chain <9:1> name='nf_in' hook=BF_HOOK_NF_LOCAL_IN policy=ACCEPT
# CHECK-NEXT:   Chain <10:1> name='nf_fwd' hook=BF_HOOK_NF_FORWARD policy=ACCEPT
# CHECK-NEXT:   Chain <11:1> name='nf_out' hook=BF_HOOK_NF_LOCAL_OUT policy=ACCEPT
# CHECK-NEXT:   Chain <12:1> name='nf_post' hook=BF_HOOK_NF_POST_ROUTING policy=ACCEPT
# CHECK-NEXT:   Chain <13:1> name='skb_in' hook=BF_HOOK_CGROUP_SKB_INGRESS policy=ACCEPT
# CHECK-NEXT:   Chain <14:1> name='skb_out' hook=BF_HOOK_CGROUP_SKB_EGRESS policy=ACCEPT
# CHECK-NEXT:   Chain <15:1> name='c4' hook=BF_HOOK_CGROUP_SOCK_ADDR_CONNECT4 policy=ACCEPT
# CHECK-NEXT:   Chain <16:1> name='c6' hook=BF_HOOK_CGROUP_SOCK_ADDR_CONNECT6 policy=ACCEPT
# CHECK-NEXT:   Chain <17:1> name='s4' hook=BF_HOOK_CGROUP_SOCK_ADDR_SENDMSG4 policy=ACCEPT
# CHECK-NEXT:   Chain <18:1> name='s6' hook=BF_HOOK_CGROUP_SOCK_ADDR_SENDMSG6 policy=ACCEPT
# CHECK-NEXT:   Chain <19:1> name='future' hook=BF_HOOK_SOMETHING_NEW_2 policy=DROP
# CHECK-NOT:  Chain
