# `#` starts a comment that runs to the end of the line, anywhere.
# RUN: %bfc --emit=ast %s | FileCheck %s
# CHECK:      Ruleset
# CHECK-NEXT:   Chain <[[@LINE+1]]:1> name='c' hook=BF_HOOK_XDP policy=ACCEPT
chain c BF_HOOK_XDP ACCEPT # rule ip4.saddr 1.1.1.1 DROP
    # rule DROP
    rule # a comment between tokens
        ip4.saddr # even here
            1.2.3.4 # and here
        counter#no space needed
        DROP #
# CHECK-NEXT:   Rule <[[@LINE-5]]:5>
# CHECK-NEXT:     Matcher <[[@LINE-5]]:9> type=ip4.saddr payload='1.2.3.4'
# CHECK-NEXT:     Counter <[[@LINE-4]]:9>
# CHECK-NEXT:     Verdict <[[@LINE-4]]:9> DROP
# CHECK-NOT: Rule
#chain hidden BF_HOOK_XDP ACCEPT
