"""Is the port `make run` is about to serve on free? Run before anything starts, so a taken
port stops `make run` at once with a plain message instead of honcho's, after migrating and
seeding, with the worker stopped again.

    python3 scripts/port_check.py 8000        (exit 0: free; 1: taken; 2: not a port)

Only the standard library: it runs before the virtualenv exists.
"""

from __future__ import annotations

import errno
import socket
import sys

HOST = "127.0.0.1"


def port_taken(port: int, host: str = HOST) -> bool:
    """Whether a server could not listen on host:port now. SO_REUSEADDR as gunicorn sets
    it, so a connection of an earlier run still closing (TIME_WAIT) does not count."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def main(argv: list[str]) -> int:
    value = argv[1] if len(argv) > 1 else "8000"
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        print(f"PORT={value!r} 不是有效端口（1–65535）。\n"
              f"PORT={value!r} is not a port number (1–65535).", file=sys.stderr)
        return 2
    port = int(value)
    if port_taken(port):
        other = port + 1 if port < 65535 else port - 1
        print(
            f"端口 {port} 已被占用：{HOST}:{port} 上已有程序在监听，因此没有启动任何服务"
            f"（网站、任务进程、调度器都未启动）。请先停止占用该端口的程序，或换一个端口："
            f"make run PORT={other}\n"
            f"Port {port} is already in use: another program listens on {HOST}:{port}, so "
            f"nothing was started (no web server, worker or scheduler). Stop that program, "
            f"or choose another port: make run PORT={other}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
