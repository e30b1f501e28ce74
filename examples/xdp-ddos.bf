# Early drop on XDP for a front-end under attack: cheap checks before the
# kernel allocates anything for the packet.

chain xdp_guard BF_HOOK_XDP{ifindex=1} ACCEPT
    # Reflection sources seen in the last attack, by (source, protocol).
    set reflectors (ip4.saddr, ip4.proto) in {
        192.0.2.10, udp; 192.0.2.11, udp
        198.51.100.5, udp
        203.0.113.200, tcp
    }

    rule (ip4.saddr, ip4.proto) in reflectors counter DROP
    # Amplification replies (DNS, NTP, memcached, SSDP) to ports we never use.
    rule (udp.sport) in { 53; 123; 11211; 1900 } udp.dport range 0-1023 counter DROP
    # Invalid TCP flag combinations.
    rule tcp.flags all syn,fin counter DROP
    rule tcp.flags all syn,rst counter DROP
    rule tcp.flags eq fin,psh,urg counter DROP
    # ICMP claiming expedited forwarding is a known flood signature.
    rule ip4.proto eq icmp ip4.dscp eq ef counter DROP
    # IPv6 fragments are never legitimate towards this service.
    rule ip6.nexthdr eq frag counter DROP
    # Shed a little of the SYN load towards the origin when under attack.
    rule tcp.dport eq 80 tcp.flags eq syn meta.flow_probability eq 5% counter DROP
