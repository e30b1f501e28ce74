# Statements out of place, stray tokens between statements, and characters
# that fit nowhere.
# RUN: not %bfc --emit=ast %s 2>&1 | FileCheck %s -DFILE=%s --implicit-check-not=error:

rule ACCEPT
set s (ip4.saddr) in {}
rule DROP
# Only the first statement before any chain is reported.
# CHECK: [[FILE]]:[[@LINE-4]]:1: error: rule outside of a chain: a ruleset starts with 'chain NAME HOOK POLICY'

chain c BF_HOOK_XDP ACCEPT
    rule ACCEPT DROP
# CHECK: [[FILE]]:[[@LINE-1]]:17: error: expected 'chain', 'set' or 'rule' but found 'DROP'
# Everything up to the next statement is skipped: no second error here.
    } ACCEPT

    rule ACCEPT
    }
# CHECK: [[FILE]]:[[@LINE-1]]:5: error: expected 'chain', 'set' or 'rule' but found '}'

    rule ACCEPT
    rules ACCEPT
# CHECK: [[FILE]]:[[@LINE-1]]:5: error: expected 'chain', 'set' or 'rule' but found 'rules'

    rule	ip4.saddr	1.2.3.4	=	ACCEPT
# Tabs count as one column each, like clang.
# CHECK: [[FILE]]:[[@LINE-2]]:28: error: expected a verdict (ACCEPT, DROP, CONTINUE, NEXT, REDIRECT) but found '='

    rule ACCEPT
# CHECK: 5 errors generated.
