chain c BF_HOOK_TC_INGRESS ACCEPT
  # A mark set by a CONTINUE rule is what later rules see.
  rule meta.mark eq 7 counter log mark 0x11 CONTINUE
  rule meta.l4_proto eq tcp log internet,transport counter CONTINUE
  rule udp.dport eq 53 log link every 3600s counter mark 5 DROP
  rule meta.iface eq lo tcp.dport eq 22 counter REDIRECT lo in
  rule meta.mark eq 0x11 counter log NEXT
  rule ip6.nexthdr eq hop counter REDIRECT 1 out
