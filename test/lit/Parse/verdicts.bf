# Every verdict, including REDIRECT with an interface name or index and a
# direction; and every policy keyword.
# RUN: %bfc --emit=ast %s | FileCheck %s

chain c BF_HOOK_TC_EGRESS NEXT
# CHECK: Chain <[[@LINE-1]]:1> name='c' hook=BF_HOOK_TC_EGRESS policy=NEXT
    rule ACCEPT
# CHECK: Verdict <[[@LINE-1]]:10> ACCEPT
    rule DROP
# CHECK: Verdict <[[@LINE-1]]:10> DROP
    rule CONTINUE
# CHECK: Verdict <[[@LINE-1]]:10> CONTINUE
    rule NEXT
# CHECK: Verdict <[[@LINE-1]]:10> NEXT
    rule REDIRECT eth0 out
# CHECK: Verdict <[[@LINE-1]]:10> REDIRECT iface='eth0' dir=out
    rule meta.iface 3 REDIRECT 4 in
# CHECK: Verdict <[[@LINE-1]]:23> REDIRECT iface='4' dir=in
    rule REDIRECT
        veth-a
        out
# CHECK: Verdict <[[@LINE-3]]:10> REDIRECT iface='veth-a' dir=out
chain d BF_HOOK_XDP ACCEPT
# CHECK: Chain <[[@LINE-1]]:1> name='d' hook=BF_HOOK_XDP policy=ACCEPT
chain e BF_HOOK_XDP DROP
# CHECK: Chain <[[@LINE-1]]:1> name='e' hook=BF_HOOK_XDP policy=DROP
