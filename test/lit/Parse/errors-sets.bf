# Syntax errors in set declarations, set keys and set bodies.
# RUN: not %bfc --emit=ast %s 2>&1 | FileCheck %s -DFILE=%s --implicit-check-not=error:

chain c BF_HOOK_XDP ACCEPT
    set (ip4.saddr) in { 1.1.1.1 }
# CHECK: [[FILE]]:[[@LINE-1]]:9: error: expected a set name after 'set' but found '('

    set s1 ip4.saddr in { 1.1.1.1 }
# CHECK: [[FILE]]:[[@LINE-1]]:12: error: expected the set key in parentheses, e.g. (ip4.saddr), but found 'ip4.saddr'

    set s2 (ip4.saddr) { 1.1.1.1 }
# CHECK: [[FILE]]:[[@LINE-1]]:24: error: expected 'in' after the set key but found '{'

    set s3 (ip4.saddr) in s1
# CHECK: [[FILE]]:[[@LINE-1]]:27: error: expected '{' after 'in' but found 's1'

    set s4 () in {}
# CHECK: [[FILE]]:[[@LINE-1]]:13: error: expected a matcher type in the set key but found ')'

    set s5 (ip4.saddr ip4.proto) in {}
# CHECK: [[FILE]]:[[@LINE-1]]:23: error: expected ',' or ')' in the set key but found 'ip4.proto'

    set s6 (ip4.saddr, ip4.proto) in { 1.1.1.1, tcp 2.2.2.2, udp }
# CHECK: [[FILE]]:[[@LINE-1]]:53: error: expected ';' or a newline between set elements but found '2.2.2.2'

    set s7 (ip4.saddr, ip4.proto) in { 1.1.1.1, ; }
# CHECK: [[FILE]]:[[@LINE-1]]:49: error: expected a set element after ',' but found ';'

    set s8 (ip4.saddr) in { 1.1.1.1 { 2.2.2.2 } }
# CHECK: [[FILE]]:[[@LINE-1]]:37: error: expected a set element, ';', a newline or '}' but found '{'

    set s9 (ip4.saddr) in { 1.1.1.1
        2.2.2.2
    rule ACCEPT
# CHECK: [[FILE]]:[[@LINE-3]]:27: error: unterminated set '{'
# CHECK-NEXT: {{^}}    set s9 (ip4.saddr) in { 1.1.1.1{{$}}
# CHECK-NEXT: {{^}}                          ^{{$}}

    rule (ip4.saddr) ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:22: error: expected 'in' after the set key but found 'ACCEPT'

    rule (ip4.saddr) in ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:25: error: expected a set '{ ... }' or a set name after 'in' but found 'ACCEPT'

    rule (ip4.saddr) eq not { 1.1.1.1 } ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:25: error: 'not' goes before the operator: write 'TYPE not OP PAYLOAD'

    rule (ip4.saddr DROP
# CHECK: [[FILE]]:[[@LINE-1]]:10: error: unterminated set key '('

    rule (tcp.dport) in { 22; 80 DROP
# CHECK: [[FILE]]:[[@LINE-1]]:25: error: unterminated set '{'

    rule (tcp.dport) in { 22, } DROP
# CHECK: [[FILE]]:[[@LINE-1]]:31: error: expected a set element after ',' but found '}'

chain d BF_HOOK_XDP ACCEPT
    rule ACCEPT
    set late (ip4.saddr) in {}
# CHECK: [[FILE]]:[[@LINE-1]]:9: error: set 'late' must be declared before the rules of chain 'd'
