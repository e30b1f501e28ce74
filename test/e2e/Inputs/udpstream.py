#!/usr/bin/env python3
"""A numbered UDP stream, to measure loss across chain updates.
  udpstream.py recv ADDR PORT SECONDS   prints how many distinct datagrams
                                        arrived within SECONDS
  udpstream.py send ADDR PORT COUNT INTERVAL_MS"""
import socket
import sys
import time

mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if mode == "recv":
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    sock.bind((addr, port))
    deadline = time.monotonic() + float(sys.argv[4])
    seen = set()
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            data, _ = sock.recvfrom(64)
        except socket.timeout:
            break
        seen.add(int(data))
    print(len(seen))
else:
    count, interval = int(sys.argv[4]), float(sys.argv[5]) / 1000
    for i in range(count):
        sock.sendto(str(i).encode(), (addr, port))
        time.sleep(interval)
