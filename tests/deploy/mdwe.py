"""`python mdwe.py COMMAND [ARG...]`: run COMMAND with the kernel's memory-deny-write-execute in force
(prctl PR_SET_MDWE, Linux 6.3+), which COMMAND and every process it starts inherit: no mapping may be
writable and executable, or become executable. What systemd's MemoryDenyWriteExecute= enforces (with
seccomp on older kernels), without systemd. Exit status 125 when the kernel does not offer it."""

import ctypes
import os
import sys

PR_SET_MDWE = 65
PR_MDWE_REFUSE_EXEC_GAIN = 1
UNSUPPORTED = 125


def main() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
        print(f"mdwe: prctl(PR_SET_MDWE) failed: {os.strerror(ctypes.get_errno())}", file=sys.stderr)
        sys.exit(UNSUPPORTED)
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    main()
