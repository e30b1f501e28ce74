#!/usr/bin/env python3
"""A numbered UDP stream, to count what crosses a filter during updates.
  udpstream.py recv ADDR PORT STOPFILE  prints how many distinct datagrams
                                        arrived before STOPFILE appeared
                                        (then drains for half a second)
  udpstream.py send ADDR PORT COUNT INTERVAL_MS
The receiver stops on a file, not after a time: a loaded machine slows the
sender, and a deadline would then count datagrams as lost."""
import os
import socket
import sys
import time

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if mode == "recv":
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    sock.bind((addr, port))
    stop, drain_until = sys.argv[4], None
    seen = set()
    sock.settimeout(0.1)
    while drain_until is None or time.monotonic() < drain_until:
        if drain_until is None and os.path.exists(stop):
            drain_until = time.monotonic() + 0.5
        try:
            data, _ = sock.recvfrom(64)
        except socket.timeout:
            continue
        seen.add(int(data))
    print(len(seen))
else:
    count, interval = int(sys.argv[4]), float(sys.argv[5]) / 1000
    for i in range(count):
        sock.sendto(str(i).encode(), (addr, port))
        time.sleep(interval)
