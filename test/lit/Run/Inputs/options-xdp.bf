chain c BF_HOOK_XDP DROP
  rule meta.l3_proto eq ipv4 log counter CONTINUE
  rule tcp.dport eq 22 counter REDIRECT 1 out
  rule meta.l4_proto eq udp counter NEXT
  rule ip6.nexthdr eq tcp log every 10s counter ACCEPT
