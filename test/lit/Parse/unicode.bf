# The comment has 3 two-byte characters: é, ü, ß
# RUN: not %bfc --emit=ast %s 2>&1 | FileCheck %s -DFILE=%s
# Columns count bytes, like clang's; carets count characters, so they line
# up under UTF-8 text in a terminal that shows each character in one cell.
chain c BF_HOOK_XDP ACCEPT # straße
    rule meta.iface é foo
# CHECK: [[FILE]]:[[@LINE-1]]:24: error: expected a verdict (ACCEPT, DROP, CONTINUE, NEXT, REDIRECT) but found 'foo'
# CHECK-NEXT: {{^}}    rule meta.iface é foo{{$}}
# CHECK-NEXT: {{^}}                      ^~~{{$}}

    rule ip4.saddr 1.2.3.4 naïve
# CHECK: [[FILE]]:[[@LINE-1]]:28: error: expected a verdict (ACCEPT, DROP, CONTINUE, NEXT, REDIRECT) but found 'naïve'
# CHECK-NEXT: {{^}}    rule ip4.saddr 1.2.3.4 naïve{{$}}
# CHECK-NEXT: {{^}}                           ^~~~~{{$}}
