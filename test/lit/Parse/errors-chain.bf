# Syntax errors in chain headers and hook options. Each statement has one
# mistake; the parser reports it and goes on with the next statement.
# RUN: not %bfc --emit=ast %s 2>&1 | FileCheck %s -DFILE=%s --implicit-check-not=error:

chain BF_HOOK_XDP ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:7: error: expected a chain name after 'chain' but found 'BF_HOOK_XDP'

chain no_hook ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:15: error: expected a hook (e.g. BF_HOOK_XDP) after the chain name but found 'ACCEPT'

chain lower BF_HOOK_xdp ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:13: error: expected a hook (e.g. BF_HOOK_XDP) after the chain name but found 'BF_HOOK_xdp'

chain no_policy BF_HOOK_XDP
    rule ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:5: error: expected chain policy (ACCEPT, DROP, NEXT) but found 'rule'

chain bad_policy BF_HOOK_XDP accept
# CHECK: [[FILE]]:[[@LINE-1]]:30: error: expected chain policy (ACCEPT, DROP, NEXT) but found 'accept'

chain continue_policy BF_HOOK_XDP CONTINUE
# CHECK: [[FILE]]:[[@LINE-1]]:35: error: 'CONTINUE' is not a valid chain policy: use ACCEPT, DROP or NEXT
# CHECK-NEXT: {{^}}chain continue_policy BF_HOOK_XDP CONTINUE{{$}}
# CHECK-NEXT: {{^}}                                  ^~~~~~~~{{$}}

chain redirect_policy BF_HOOK_TC_INGRESS REDIRECT
# CHECK: [[FILE]]:[[@LINE-1]]:42: error: 'REDIRECT' is not a valid chain policy: use ACCEPT, DROP or NEXT

chain open BF_HOOK_XDP{ifindex=2 ACCEPT
    rule DROP
# CHECK: [[FILE]]:[[@LINE-2]]:23: error: unterminated hook options '{'
# CHECK-NEXT: {{^}}chain open BF_HOOK_XDP{ifindex=2 ACCEPT{{$}}
# CHECK-NEXT: {{^}}                      ^{{$}}

chain no_value BF_HOOK_XDP{ifindex} ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:35: error: expected '=' after hook option 'ifindex' but found '}'

chain empty_value BF_HOOK_XDP{ifindex=} ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:39: error: expected a value after hook option 'ifindex' but found '}'

chain twice BF_HOOK_XDP{ifindex=1}{ifindex=2} ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:35: error: expected chain policy (ACCEPT, DROP, NEXT) but found '{'

chain ok BF_HOOK_XDP ACCEPT
    rule ACCEPT

# CHECK: 11 errors generated.
