# Several chains in one file, each with its own sets and rules; a set or rule
# belongs to the chain above it. Input may also be given on one line.
# RUN: %bfc --emit=ast %s | FileCheck %s
# RUN: %bfc --emit=ast --from-str "chain a BF_HOOK_XDP ACCEPT rule DROP chain b BF_HOOK_TC_INGRESS DROP set s (tcp.dport) in { 1 } rule (tcp.dport) in s ACCEPT" | FileCheck %s --check-prefix=ONELINE

chain first BF_HOOK_XDP{ifindex=1} ACCEPT
    set s (ip4.saddr) in { 1.1.1.1 }
    rule (ip4.saddr) in s DROP
chain second BF_HOOK_NF_LOCAL_IN{priorities=1-2} DROP
    set s (ip4.daddr) in { 2.2.2.2 }
    rule (ip4.daddr) in s ACCEPT
    rule CONTINUE
chain third BF_HOOK_CGROUP_SKB_INGRESS{cgpath=/sys/fs/cgroup/unified} ACCEPT

# CHECK:      Ruleset
# CHECK-NEXT:   Chain <6:1> name='first' hook=BF_HOOK_XDP policy=ACCEPT
# CHECK-NEXT:     HookOptions count=1
# CHECK-NEXT:       HookOption <6:25> ifindex='1'
# CHECK-NEXT:     Set <7:5> name='s' key=(ip4.saddr) op=in elements=1
# CHECK-NEXT:       Element <7:28> '1.1.1.1'
# CHECK-NEXT:     Rule <8:5>
# CHECK-NEXT:       SetMatcher <8:10> key=(ip4.saddr) op=in set='s'
# CHECK-NEXT:       Verdict <8:27> DROP
# CHECK-NEXT:   Chain <9:1> name='second' hook=BF_HOOK_NF_LOCAL_IN policy=DROP
# CHECK-NEXT:     HookOptions count=1
# CHECK-NEXT:       HookOption <9:34> priorities='1-2'
# CHECK-NEXT:     Set <10:5> name='s' key=(ip4.daddr) op=in elements=1
# CHECK-NEXT:       Element <10:28> '2.2.2.2'
# CHECK-NEXT:     Rule <11:5>
# CHECK-NEXT:       SetMatcher <11:10> key=(ip4.daddr) op=in set='s'
# CHECK-NEXT:       Verdict <11:27> ACCEPT
# CHECK-NEXT:     Rule <12:5>
# CHECK-NEXT:       Verdict <12:10> CONTINUE
# CHECK-NEXT:   Chain <13:1> name='third' hook=BF_HOOK_CGROUP_SKB_INGRESS policy=ACCEPT
# CHECK-NEXT:     HookOptions count=1
# CHECK-NEXT:       HookOption <13:40> cgpath='/sys/fs/cgroup/unified'
# CHECK-NOT:  Chain

# ONELINE:      Chain <1:1> name='a' hook=BF_HOOK_XDP policy=ACCEPT
# ONELINE-NEXT:   Rule <1:28>
# ONELINE-NEXT:     Verdict <1:33> DROP
# ONELINE-NEXT:   Chain <1:38> name='b' hook=BF_HOOK_TC_INGRESS policy=DROP
# ONELINE-NEXT:     Set <1:70> name='s' key=(tcp.dport) op=in elements=1
# ONELINE-NEXT:       Element <1:93> '1'
# ONELINE-NEXT:     Rule <1:97>
# ONELINE-NEXT:       SetMatcher <1:102> key=(tcp.dport) op=in set='s'
# ONELINE-NEXT:       Verdict <1:119> ACCEPT
