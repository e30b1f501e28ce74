#!/usr/bin/env python3
"""Writes a chain of 8,400 CONTINUE rules with counters, marks and logs (more
than the verifier's 8,192 pending branches if they added up), then a DROP."""
import sys

out = sys.stdout
out.write("chain cont BF_HOOK_TC_INGRESS ACCEPT\n")
for i in range(8400):
    port = 1000 + i
    kind = i % 4
    if kind == 0:
        out.write("  rule tcp.dport range %d-%d counter CONTINUE\n" % (port, port + 5))
    elif kind == 1:
        out.write("  rule tcp.dport range %d-%d mark 0x%x counter CONTINUE\n"
                  % (port, port + 3, i))
    elif kind == 2:
        out.write("  rule meta.l4_proto eq tcp tcp.dport range %d-%d counter CONTINUE\n"
                  % (port, port + 2))
    else:
        out.write("  rule udp.dport not %d udp.dport range %d-%d log internet counter CONTINUE\n"
                  % (port, port - 1, port + 1))
out.write("  rule tcp.dport eq 22 counter DROP\n")
