"""Run a command with no network but this machine's loopback, and say which names it asked for.

    scripts/offline make test

Starts the command in a new network namespace (only `lo`, no route anywhere else) and mount
namespace, with:
- a resolver on the namespace's 127.0.0.1:53 that records every name asked and answers "no such
  name" at once (so a lookup fails loudly instead of hanging), named in a private resolv.conf;
- MariaDB on the namespace's 127.0.0.1:3306, bridged to the server's unix socket (the server
  itself listens in the machine's namespace).

When the command ends it prints `offline: N names asked` and the names, and fails if any name
other than localhost was asked, or if the command failed. CI runs the whole suite this way.
Needs root (unshare) and iproute2 (`ip`); Linux only.
"""

import os
import select
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
INNER = "--inside-namespace"


def _question_name(packet: bytes) -> tuple[str, int]:
    """The first question's name of a DNS query, and where the question ends."""
    labels, at = [], 12
    while at < len(packet) and packet[at]:
        length = packet[at]
        labels.append(packet[at + 1 : at + 1 + length].decode("ascii", "replace"))
        at += 1 + length
    return ".".join(labels).lower(), at + 5  # the zero byte, QTYPE and QCLASS


def _no_such_name(query: bytes) -> bytes:
    _name, end = _question_name(query)
    flags = 0x8183  # a response, recursion desired and available, NXDOMAIN
    return query[:2] + struct.pack(">HHHHH", flags, 1, 0, 0, 0) + query[12:end]


def _resolver(asked: list[str], ready: threading.Event) -> None:
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 53))
    tcp = socket.socket()
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(("127.0.0.1", 53))
    tcp.listen(16)
    ready.set()
    while True:
        readable, _, _ = select.select([udp, tcp], [], [])
        if udp in readable:
            query, client = udp.recvfrom(4096)
            asked.append(_question_name(query)[0])
            udp.sendto(_no_such_name(query), client)
        if tcp in readable:
            conn, _ = tcp.accept()
            with conn:
                data = conn.recv(4096)
                if len(data) > 2:
                    query = data[2:]
                    asked.append(_question_name(query)[0])
                    answer = _no_such_name(query)
                    conn.sendall(struct.pack(">H", len(answer)) + answer)


def _pump(a: socket.socket, b: socket.socket) -> None:
    try:
        while True:
            readable, _, _ = select.select([a, b], [], [])
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                (b if sock is a else a).sendall(data)
    except OSError:
        return
    finally:
        a.close()
        b.close()


def _mariadb_bridge(unix_path: str, ready: threading.Event) -> None:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 3306))
    listener.listen(128)
    ready.set()
    while True:
        client, _ = listener.accept()
        upstream = socket.socket(socket.AF_UNIX)
        try:
            upstream.connect(unix_path)
        except OSError:
            client.close()
            continue
        threading.Thread(target=_pump, args=(client, upstream), daemon=True).start()


def _inside(mariadb_socket: str, command: list[str]) -> int:
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)  # noqa: S607 - iproute2's ip
    resolv = Path(tempfile.mkdtemp()) / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\noptions timeout:1 attempts:1\n")
    subprocess.run(["mount", "--bind", str(resolv), "/etc/resolv.conf"], check=True)  # noqa: S603, S607
    asked: list[str] = []
    started = []
    for target, args in ((_resolver, (asked,)), (_mariadb_bridge, (mariadb_socket,))):
        if target is _mariadb_bridge and not mariadb_socket:
            continue
        ready = threading.Event()
        threading.Thread(target=target, args=(*args, ready), daemon=True).start()
        started.append(ready)
    for ready in started:
        ready.wait(5)
    status = subprocess.run(command).returncode  # noqa: S603 - the command we were given
    outside = sorted({name for name in asked if name.rstrip(".") not in LOCAL_NAMES})
    print(f"offline: {len(outside)} names asked" + "".join(f"\n  {name}" for name in outside), flush=True)
    if outside:
        print("offline: something tried to reach beyond this machine (the names above).", file=sys.stderr)
        return status or 1
    return status


def _mariadb_socket() -> str:
    """The unix socket of the MariaDB server on this machine, asked before the network goes."""
    try:
        answer = subprocess.run(
            ["mysql", "--host=127.0.0.1", "--port=3306", "--user=root", "-NBe", "SELECT @@socket"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    path = answer.stdout.strip()
    return path if answer.returncode == 0 and path and os.path.exists(path) else ""


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == INNER:
        return _inside(sys.argv[2], sys.argv[4:] if sys.argv[3] == "--" else sys.argv[3:])
    command = sys.argv[1:]
    if not command:
        print(__doc__, file=sys.stderr)
        return 2
    inner = [sys.executable, os.path.abspath(__file__), INNER, _mariadb_socket(), "--", *command]
    return subprocess.run(["unshare", "--net", "--mount", "--fork", *inner]).returncode  # noqa: S603, S607


if __name__ == "__main__":
    sys.exit(main())
