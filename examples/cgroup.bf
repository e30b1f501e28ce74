# Per-service policy with cgroups: what a container may reach.

chain svc_egress BF_HOOK_CGROUP_SKB_EGRESS{cgpath=/sys/fs/cgroup/unified} ACCEPT
    rule ip4.dnet eq 169.254.169.254/32 log counter DROP    # metadata service
    rule tcp.dport eq 25 counter DROP
    rule udp.dport eq 53 counter ACCEPT

chain svc_connect BF_HOOK_CGROUP_SOCK_ADDR_CONNECT4{cgpath=/sys/fs/cgroup/unified} ACCEPT
    rule ip4.dnet eq 10.0.0.0/8 tcp.dport eq 5432 counter ACCEPT
    rule tcp.dport eq 5432 log counter DROP
    rule ip4.daddr eq 192.0.2.53 udp.dport eq 53 counter DROP

chain svc_sendmsg6 BF_HOOK_CGROUP_SOCK_ADDR_SENDMSG6{cgpath=/sys/fs/cgroup/unified} ACCEPT
    rule ip6.dnet eq 2001:db8::/32 udp.dport eq 514 counter DROP
