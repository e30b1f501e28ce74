# Interface names are resolved on the host: the tests say which is which.
chain ingress BF_HOOK_TC_INGRESS ACCEPT
    rule meta.iface eq wan0 tcp.dport eq 22 counter DROP
