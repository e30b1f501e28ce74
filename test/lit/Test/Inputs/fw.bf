# A small ruleset for the bfc test lit tests.
chain ingress BF_HOOK_TC_INGRESS ACCEPT
    rule tcp.dport eq 22 counter DROP
    rule udp.dport eq 53 counter CONTINUE
    rule udp.dport eq 53 mark 0x10 counter ACCEPT
    rule ip4.saddr eq 192.0.2.1 DROP

chain connect BF_HOOK_CGROUP_SOCK_ADDR_CONNECT4 DROP
    rule tcp.dport eq 443 counter ACCEPT
