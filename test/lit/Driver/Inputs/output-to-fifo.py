#!/usr/bin/env python3
"""Runs BFC ARGS... -o FIFO with a reader on the FIFO: the object must come
through the FIFO, and the FIFO must still be a FIFO afterwards (bfc must not
rename a temporary file over it, as it would over /dev/null)."""
import os
import stat
import subprocess
import sys
import tempfile
import threading

bfc, args = sys.argv[1], sys.argv[2:]
with tempfile.TemporaryDirectory() as tmp:
    fifo = os.path.join(tmp, "out.fifo")
    os.mkfifo(fifo)
    received = bytearray()

    def read():
        with open(fifo, "rb") as f:
            received.extend(f.read())

    reader = threading.Thread(target=read)
    reader.start()
    rc = subprocess.run([bfc, *args, "-o", fifo]).returncode
    if rc != 0:
        open(fifo, "wb").close()  # unblock the reader
    reader.join(timeout=30)
    print(f"exit {rc}")
    print("still a fifo" if stat.S_ISFIFO(os.lstat(fifo).st_mode) else "REPLACED")
    elf = received[:4] == b"\x7fELF"
    print(f"received ELF: {elf}")
    print("leftovers:", sorted(n for n in os.listdir(tmp) if n != "out.fifo"))
