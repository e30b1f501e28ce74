# Rule options: log (headers, rate), counter and mark, in any order, after
# the matchers.
# RUN: %bfc --emit=ast %s | FileCheck %s

chain c BF_HOOK_TC_INGRESS ACCEPT
    rule ip4.proto tcp log counter mark 0x10 ACCEPT
# CHECK:      Rule <[[@LINE-1]]:5>
# CHECK-NEXT:   Matcher <[[@LINE-2]]:10> type=ip4.proto payload='tcp'
# CHECK-NEXT:   Log <[[@LINE-3]]:24>
# CHECK-NEXT:   Counter <[[@LINE-4]]:28>
# CHECK-NEXT:   Mark <[[@LINE-5]]:36> value='0x10'
# CHECK-NEXT:   Verdict <[[@LINE-6]]:46> ACCEPT

    rule mark 42 counter log link,internet,transport DROP
# CHECK:      Rule <[[@LINE-1]]:5>
# CHECK-NEXT:   Mark <[[@LINE-2]]:10> value='42'
# CHECK-NEXT:   Counter <[[@LINE-3]]:18>
# CHECK-NEXT:   Log <[[@LINE-4]]:26> headers=link,internet,transport
# CHECK-NEXT:   Verdict <[[@LINE-5]]:54> DROP

    rule counter log transport every 500ms ACCEPT
# CHECK:      Counter <[[@LINE-1]]:10>
# CHECK-NEXT: Log <[[@LINE-2]]:18> headers=transport every='500ms'

    rule log every 1.5s CONTINUE
# CHECK:      Log <[[@LINE-1]]:10> every='1.5s'
# CHECK-NEXT: Verdict <[[@LINE-2]]:25> CONTINUE

    rule
        log link, internet
            every 10us
        counter
        NEXT
# CHECK:      Log <[[@LINE-4]]:9> headers=link,internet every='10us'
# CHECK-NEXT: Counter <[[@LINE-3]]:9>

# Duplicates are Sema's business; the parser keeps them in source order.
    rule counter counter ACCEPT
# CHECK:      Counter <[[@LINE-1]]:10>
# CHECK-NEXT: Counter <[[@LINE-2]]:18>
