# Syntax errors inside rules: matchers, rule options and verdicts.
# RUN: not %bfc --emit=ast --error-limit=0 %s 2>&1 | FileCheck %s -DFILE=%s --implicit-check-not=error:

chain c BF_HOOK_TC_INGRESS ACCEPT
    rule ip4.saddr 1.2.3.4 foo
# CHECK: [[FILE]]:[[@LINE-1]]:28: error: expected a verdict (ACCEPT, DROP, CONTINUE, NEXT, REDIRECT) but found 'foo'
# CHECK-NEXT: {{^}}    rule ip4.saddr 1.2.3.4 foo{{$}}
# CHECK-NEXT: {{^}}                           ^~~{{$}}

    rule ip4.saddr 1.2.3.4
    rule DROP
# CHECK: [[FILE]]:[[@LINE-1]]:5: error: expected a verdict (ACCEPT, DROP, CONTINUE, NEXT, REDIRECT) but found 'rule'

    rule ip4.saddr ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:20: error: expected a payload for 'ip4.saddr' but found 'ACCEPT'

    rule ip4.saddr tcp.dport 22 ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:20: error: expected a payload for 'ip4.saddr' but found 'tcp.dport'

    rule tcp.dport gt 80 ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:23: error: expected a verdict (ACCEPT, DROP, CONTINUE, NEXT, REDIRECT) but found '80'
# CHECK: [[FILE]]:[[@LINE-2]]:20: note: 'gt' was read as the payload of 'tcp.dport'; the operators are eq, any, all, range and in

    rule ip4.saddr eq not 1.2.3.4 ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:23: error: 'not' goes before the operator: write 'TYPE not OP PAYLOAD'

    rule ip4.saddr eq eq 1.2.3.4 ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:23: error: expected a payload for 'ip4.saddr' but found 'eq'

    rule tcp.dport in { 22; 80 } ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:20: error: a set needs its key in parentheses: write '(tcp.dport) in { ... }'

    rule tcp.dport not in 22 ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:24: error: 'in' takes a set, with the key in parentheses: write '(tcp.dport) not in { ... }' or '(tcp.dport) not in SET_NAME'

    rule not ip4.saddr 1.2.3.4 ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:10: error: 'not' goes after the matcher type: write 'TYPE not PAYLOAD'

    rule log every ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:20: error: expected a frequency after 'every' (e.g. 1s, 500ms) but found 'ACCEPT'

    rule counter every 1s ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:18: error: 'every' must follow 'log': write 'log [HEADERS] every FREQ'

    rule log link, ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:20: error: expected a log header (link, internet, transport) after ',' but found 'ACCEPT'

    rule mark DROP
# CHECK: [[FILE]]:[[@LINE-1]]:15: error: expected a mark value after 'mark' but found 'DROP'

    rule REDIRECT
    rule REDIRECT eth0
    rule REDIRECT eth0 sideways
# CHECK: [[FILE]]:[[@LINE-2]]:5: error: expected an interface name or index after 'REDIRECT' but found 'rule'
# CHECK: [[FILE]]:[[@LINE-2]]:5: error: expected a direction ('in' or 'out') after the interface but found 'rule'
# CHECK: [[FILE]]:[[@LINE-3]]:24: error: expected a direction ('in' or 'out') after the interface but found 'sideways'

    rule counter ip4.saddr 1.2.3.4 ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:18: error: matchers come before the rule options: move this matcher before 'counter'

    rule ACCEPT DROP
# CHECK: [[FILE]]:[[@LINE-1]]:17: error: expected 'chain', 'set' or 'rule' but found 'DROP'

    rule ) ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:10: error: expected a verdict (ACCEPT, DROP, CONTINUE, NEXT, REDIRECT) but found ')'

    rule ip4.saddr 1.2.3.4 ; ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:28: error: expected a verdict (ACCEPT, DROP, CONTINUE, NEXT, REDIRECT) but found ';'

    rule accept
# CHECK: [[FILE]]:[[@LINE-1]]:10: error: expected a verdict (ACCEPT, DROP, CONTINUE, NEXT, REDIRECT) but found 'accept'

    rule ACCEPT
# CHECK: 22 errors generated.
