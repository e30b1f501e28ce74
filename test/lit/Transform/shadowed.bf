# -Wshadowed-rule: a rule that an earlier rule with a final verdict always
# takes first. Warnings come with the source line and a note at the rule that
# shadows; -Werror makes them errors, -w silences them; they are reported at
# every -O level.
# RUN: %bfc --check %s 2>&1 | FileCheck %s --implicit-check-not=warning:
# RUN: %bfc --emit=bfir -O0 %s 2>&1 >/dev/null | FileCheck %s --implicit-check-not=warning:
# RUN: not %bfc --check -Werror %s 2>&1 | FileCheck %s --check-prefix=WERROR
# RUN: %bfc --check -w %s 2>&1 | count 0

chain c BF_HOOK_XDP ACCEPT
    rule ip4.snet eq 10.0.0.0/8 DROP
    rule ip4.saddr eq 10.1.2.3 tcp.dport eq 22 counter ACCEPT
# CHECK:      shadowed.bf:[[@LINE-1]]:5: warning: rule can never match: it is shadowed by an earlier rule [-Wshadowed-rule]
# CHECK-NEXT:     rule ip4.saddr eq 10.1.2.3 tcp.dport eq 22 counter ACCEPT
# CHECK-NEXT: {{^    \^~~~$}}
# CHECK-NEXT: shadowed.bf:[[@LINE-5]]:5: note: every packet the shadowed rule would match is matched here first, ending the chain with DROP
# WERROR:     shadowed.bf:[[@LINE-5]]:5: error: rule can never match: it is shadowed by an earlier rule [-Werror,-Wshadowed-rule]

    # Implied rather than written: TCP to port 22 is TCP.
    rule meta.l4_proto eq tcp NEXT
    rule tcp.dport eq 22 tcp.flags any syn DROP
# CHECK:      shadowed.bf:[[@LINE-1]]:5: warning: rule can never match: it is shadowed by an earlier rule [-Wshadowed-rule]
# CHECK:      shadowed.bf:[[@LINE-3]]:5: note: {{.*}} ending the chain with NEXT

    # Not shadowed: CONTINUE goes on, a narrower rule does not cover a wider
    # one, a mark set in between changes what meta.mark reads.
    rule udp.dport eq 53 counter CONTINUE
    rule udp.dport eq 53 DROP
    rule ip6.saddr eq 2001:db8::1 DROP
    rule ip6.snet eq 2001:db8::/32 ACCEPT

chain d BF_HOOK_TC_INGRESS ACCEPT
    rule meta.mark eq 0x1 ACCEPT
    rule udp.sport eq 1 mark 0x1 CONTINUE
    rule meta.mark eq 0x1 DROP
