# Hook options: KEY=VALUE pairs in braces right after (or spaced from) the
# hook, comma separated; like bpfilter, stray commas are ignored.
# RUN: %bfc --emit=ast %s | FileCheck %s

chain a BF_HOOK_XDP{ifindex=2} ACCEPT
# CHECK:      Chain <[[@LINE-1]]:1> name='a' hook=BF_HOOK_XDP policy=ACCEPT
# CHECK-NEXT:   HookOptions count=1
# CHECK-NEXT:     HookOption <[[@LINE-3]]:21> ifindex='2'

chain b BF_HOOK_NF_LOCAL_IN{priorities=101-102,family=inet4} DROP
# CHECK:      Chain <[[@LINE-1]]:1> name='b' hook=BF_HOOK_NF_LOCAL_IN policy=DROP
# CHECK-NEXT:   HookOptions count=2
# CHECK-NEXT:     HookOption <[[@LINE-3]]:29> priorities='101-102'
# CHECK-NEXT:     HookOption <[[@LINE-4]]:48> family='inet4'

chain c BF_HOOK_CGROUP_SKB_EGRESS { cgpath=/sys/fs/cgroup/unified/my.slice , } ACCEPT
# CHECK:      Chain <[[@LINE-1]]:1> name='c' hook=BF_HOOK_CGROUP_SKB_EGRESS policy=ACCEPT
# CHECK-NEXT:   HookOptions count=1
# CHECK-NEXT:     HookOption <[[@LINE-3]]:37> cgpath='/sys/fs/cgroup/unified/my.slice'

# An empty block is kept apart from no block at all.
chain d BF_HOOK_TC_INGRESS{} NEXT
# CHECK:      Chain <[[@LINE-1]]:1> name='d' hook=BF_HOOK_TC_INGRESS policy=NEXT
# CHECK-NEXT:   HookOptions count=0
chain e BF_HOOK_TC_EGRESS ACCEPT
# CHECK:      Chain <[[@LINE-1]]:1> name='e' hook=BF_HOOK_TC_EGRESS policy=ACCEPT
# CHECK-NOT:  HookOptions

# Options may span lines and carry comments; `key = value` is accepted too.
chain f BF_HOOK_TC_EGRESS{
    ifindex = 7 # the uplink
    family=inet6
} ACCEPT
# CHECK:      Chain <[[@LINE-4]]:1> name='f' hook=BF_HOOK_TC_EGRESS policy=ACCEPT
# CHECK-NEXT:   HookOptions count=2
# CHECK-NEXT:     HookOption <[[@LINE-5]]:5> ifindex='7'
# CHECK-NEXT:     HookOption <[[@LINE-5]]:5> family='inet6'

# bpfilter ignores commas between options, so they may be left out.
chain g BF_HOOK_XDP{ifindex=1 family=inet4} ACCEPT
# CHECK:      Chain <[[@LINE-1]]:1> name='g'
# CHECK-NEXT:   HookOptions count=2
