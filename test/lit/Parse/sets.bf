# Named and anonymous sets: keys of one or more matcher types, elements
# separated by `;` or newlines, components by `,`.
# RUN: %bfc --emit=ast %s | FileCheck %s

chain c BF_HOOK_XDP ACCEPT
    set blocked (ip4.saddr) in { 192.168.1.1; 192.168.1.2 }
# CHECK:      Set <[[@LINE-1]]:5> name='blocked' key=(ip4.saddr) op=in elements=2
# CHECK-NEXT:   Element <[[@LINE-2]]:34> '192.168.1.1'
# CHECK-NEXT:   Element <[[@LINE-3]]:47> '192.168.1.2'

    set pairs ( ip4.saddr , ip4.proto ) in {
        10.0.0.1, tcp
        10.0.0.2 ,udp;  10.0.0.3 , icmp ;

    }
# CHECK:      Set <[[@LINE-5]]:5> name='pairs' key=(ip4.saddr, ip4.proto) op=in elements=3
# CHECK-NEXT:   Element <[[@LINE-5]]:9> '10.0.0.1', 'tcp'
# CHECK-NEXT:   Element <[[@LINE-5]]:9> '10.0.0.2', 'udp'
# CHECK-NEXT:   Element <[[@LINE-6]]:25> '10.0.0.3', 'icmp'

    set nets (ip6.snet) in {
        # comments are allowed inside a set
        fe80::/10   # link-local
        ::1/128
    }
# CHECK:      Set <[[@LINE-5]]:5> name='nets' key=(ip6.snet) op=in elements=2
# CHECK-NEXT:   Element <[[@LINE-4]]:9> 'fe80::/10'
# CHECK-NEXT:   Element <[[@LINE-4]]:9> '::1/128'

    set empty (tcp.dport) in {}
# CHECK:      Set <[[@LINE-1]]:5> name='empty' key=(tcp.dport) op=in elements=0

    rule (ip4.saddr) in blocked DROP
# CHECK:      Rule <[[@LINE-1]]:5>
# CHECK-NEXT:   SetMatcher <[[@LINE-2]]:10> key=(ip4.saddr) op=in set='blocked'

    rule (ip4.saddr, ip4.proto) not in pairs DROP
# CHECK:      SetMatcher <[[@LINE-1]]:10> key=(ip4.saddr, ip4.proto) not op=in set='pairs'

    rule (tcp.dport) in { 22; 80; 443 } ACCEPT
# CHECK:      SetMatcher <[[@LINE-1]]:10> key=(tcp.dport) op=in elements=3
# CHECK-NEXT:   Element <[[@LINE-2]]:27> '22'
# CHECK-NEXT:   Element <[[@LINE-3]]:31> '80'
# CHECK-NEXT:   Element <[[@LINE-4]]:35> '443'

    rule (ip4.snet) not in { 10.0.0.0/8
                             192.168.0.0/16 } ip4.proto tcp DROP
# CHECK:      SetMatcher <[[@LINE-2]]:10> key=(ip4.snet) not op=in elements=2
# CHECK-NEXT:   Element <[[@LINE-3]]:30> '10.0.0.0/8'
# CHECK-NEXT:   Element <[[@LINE-3]]:30> '192.168.0.0/16'
# CHECK-NEXT: Matcher <[[@LINE-4]]:47> type=ip4.proto payload='tcp'

    rule (icmp.code, icmp.type) in {3, echo-reply;2,echo-request} ACCEPT
# CHECK:      SetMatcher <[[@LINE-1]]:10> key=(icmp.code, icmp.type) op=in elements=2
# CHECK-NEXT:   Element <[[@LINE-2]]:37> '3', 'echo-reply'
# CHECK-NEXT:   Element <[[@LINE-3]]:51> '2', 'echo-request'
